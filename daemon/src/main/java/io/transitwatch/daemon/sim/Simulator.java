package io.transitwatch.daemon.sim;

import io.grpc.BindableService;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.transitwatch.daemon.sim.hubble.ActiveStreams;
import io.transitwatch.daemon.sim.hubble.NodeHubble;
import io.transitwatch.daemon.sim.hubble.NodeObserverService;
import io.transitwatch.daemon.sim.hubble.PeerService;
import io.transitwatch.daemon.sim.relay.RelayObserverService;
import io.transitwatch.daemon.sim.traffic.NodeEventLog;
import io.transitwatch.daemon.sim.traffic.TrafficDriver;
import io.transitwatch.daemon.sim.traffic.TrafficGenerator;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.ChangeNotificationType;
import io.transitwatch.proto.peer.TLS;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: every public method may be called from any thread. A simulated Cilium cluster
 * serving the Hubble gRPC API on real TCP sockets, for the demo, integration tests and benchmarks.
 *
 * <p>It owns these threads, all stopped by {@link #close()}: {@code transitwatch-sim-traffic} (the
 * datapath, ticking every 10 ms; absent with {@code trafficThread(false)}),
 * {@code transitwatch-sim-stream-*} (sending flows to clients), {@code transitwatch-sim-control}
 * (scenario-driven server stops and restarts), and the gRPC threads of {@link GrpcServers}.
 *
 * <pre>{@code
 * try (Simulator sim = Simulator.start(SimulatorConfig.builder()
 *         .mode(SimMode.RELAY).scenario(Scenario.preset("seed")).build())) {
 *     String target = sim.relayTarget();   // "127.0.0.1:port"
 *     ...
 * }
 * }</pre>
 */
public final class Simulator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Simulator.class.getName());
    private static final Status SERVER_GONE = Status.UNAVAILABLE.withDescription("hubble server is shutting down");

    private final SimulatorConfig config;
    private final ClusterTopology topology;
    private final Map<String, NodeHubble> hubbles = new LinkedHashMap<>();
    private final Map<String, NodeEventLog> logs = new LinkedHashMap<>();
    private final GroundTruth truth;
    private final ActiveStreams streams = new ActiveStreams();
    private final GrpcServers grpc = new GrpcServers();
    private final ExecutorService streamExecutor =
            Executors.newFixedThreadPool(2, NamedThreadFactory.daemon("sim-stream"));
    private final ExecutorService control = Executors.newSingleThreadExecutor(NamedThreadFactory.daemon("sim-control"));
    private final Map<String, HubbleServer> nodeServers = new LinkedHashMap<>();
    private final TrafficGenerator generator;
    private HubbleServer peerServer;
    private HubbleServer relayServer;
    private RelayObserverService relay;
    private TrafficDriver driver;

    private Simulator(SimulatorConfig config) {
        this.config = config;
        this.topology = ClusterTopology.scaled(config.nodes());
        this.truth = new GroundTruth(config.groundTruthCapacity());
        for (SimNode node : topology.nodes()) {
            hubbles.put(node.name(), new NodeHubble(node, config.ringCapacity(), config.clock(),
                    config.scenario().clockSkewNanos(node.name())));
            logs.put(node.name(), new NodeEventLog(config.eventLogCapacity(), config.emissions()));
        }
        this.generator = new TrafficGenerator(topology, config.scenario(), config.clock().epochNanos(), hubbles, logs,
                truth, new ScenarioControl());
    }

    /** Starts the servers and the traffic; the caller must {@link #close()} it. */
    public static Simulator start(SimulatorConfig config) {
        Simulator sim = new Simulator(config);
        try {
            sim.startServers();
            if (config.trafficThread()) {
                sim.driver = new TrafficDriver(sim.generator, config.clock(), sim.streams::signalAll);
                sim.driver.start();
            }
            LOG.log(Level.INFO, "simulated cluster up: mode {0}, scenario {1}, {2}", config.mode(),
                    config.scenario().name(), config.mode() == SimMode.RELAY ? sim.relayTarget() : sim.peerTarget());
            return sim;
        } catch (RuntimeException e) {
            sim.close();
            throw e;
        }
    }

    public SimulatorConfig config() {
        return config;
    }

    public ClusterTopology topology() {
        return topology;
    }

    public GroundTruth groundTruth() {
        return truth;
    }

    /** RELAY mode: {@code host:port} of Hubble Relay. */
    public String relayTarget() {
        requireMode(SimMode.RELAY);
        return relayServer.target();
    }

    /** NODES mode: {@code host:port} of the {@code hubble-peer} Service stand-in. */
    public String peerTarget() {
        requireMode(SimMode.NODES);
        return peerServer.target();
    }

    /** NODES mode: node name to {@code host:port} of its Hubble server, in node order. */
    public Map<String, String> nodeTargets() {
        requireMode(SimMode.NODES);
        Map<String, String> targets = new LinkedHashMap<>();
        nodeServers.forEach((node, server) -> targets.put(node, server.target()));
        return targets;
    }

    /**
     * Takes the node's Hubble down now: NODES mode closes its server (clients see UNAVAILABLE),
     * RELAY mode reports NODE_ERROR. Its events are not recorded until {@link #restartNode}.
     */
    public void stopNode(String node) {
        if (hubble(node).isUp()) {
            hubbleDown(node, config.clock().epochNanos(), Runnable::run);
        }
    }

    /** Brings the node's Hubble back on the same port, with its old ring or an empty one. */
    public void restartNode(String node, boolean keepRing) {
        hubbleUp(node, keepRing, config.clock().epochNanos(), Runnable::run);
    }

    /**
     * From now on the node's next {@code count} events overflow its perf ring (at most a second's worth):
     * lost, then reported in one PERF_EVENT_RING_BUFFER LostEvent, as {@link Fault.LostEvents} does at
     * a scheduled time.
     */
    public void loseEvents(String node, int count) {
        generator.loseEvents(node, count);
    }

    /** Resizes every node's ring, keeping the newest events that fit. */
    public void setRingCapacity(int capacity) {
        hubbles.values().forEach(h -> h.ring().resize(capacity));
    }

    /** Stops starting new connections; connections under way play out. Servers stay up. */
    public void pauseTraffic() {
        generator.pause();
    }

    public void resumeTraffic() {
        generator.resume();
    }

    /** Without a traffic thread: plays the traffic up to the clock's now and wakes the streams. */
    public void advanceTraffic() {
        if (driver != null) {
            throw new IllegalStateException("the traffic thread is running; build with trafficThread(false)");
        }
        synchronized (generator) {
            generator.advanceTo(config.clock().epochNanos());
        }
        streams.signalAll();
    }

    /** GetFlows streams open now, on every server (nodes and relay). */
    public int openStreams() {
        return streams.size();
    }

    /** What the node emitted so far (flows and lost events), in order, bounded by the event log capacity. */
    public List<GetFlowsResponse> emittedEvents(String node) {
        return log(node).events();
    }

    public NodeEventLog.Counts eventCounts(String node) {
        return log(node).counts();
    }

    /** Stops the traffic, the servers and every thread; idempotent. */
    @Override
    public void close() {
        try {
            if (driver != null) {
                driver.close();
            }
            control.shutdownNow();
            control.awaitTermination(5, TimeUnit.SECONDS);
            allServers().forEach(HubbleServer::stop);
            streamExecutor.shutdownNow();
            streamExecutor.awaitTermination(5, TimeUnit.SECONDS);
            grpc.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startServers() {
        boolean tls = config.tls() != null;
        if (config.mode() == SimMode.RELAY) {
            relay = new RelayObserverService(List.copyOf(hubbles.values()), config.fieldMaskSupport(), config.clock(),
                    streamExecutor, streams, tls);
            relayServer = new HubbleServer(grpc, config.host(), config.port(),
                    GrpcServers.credentials(config.tls(), false), List.of(relay),
                    () -> streams.abort("relay", SERVER_GONE));
            relayServer.start();
            return;
        }
        ServerCredentials credentials = GrpcServers.credentials(config.tls(), true);
        int offset = 1;
        for (NodeHubble hubble : hubbles.values()) {
            int port = config.port() == 0 ? 0 : config.port() + offset++;
            String node = hubble.name();
            PeerService peers = new PeerService(this::peerNotifications);
            BindableService observer = new NodeObserverService(hubble, config.fieldMaskSupport(), streamExecutor,
                    streams, () -> nodeServers.get(node).target(), tls);
            HubbleServer server = new HubbleServer(grpc, config.host(), port, credentials, List.of(observer, peers),
                    () -> endOpenCalls(node, peers));
            nodeServers.put(node, server);
            server.start();
        }
        PeerService peers = new PeerService(this::peerNotifications);
        peerServer = new HubbleServer(grpc, config.host(), config.port(), credentials, List.of(peers),
                () -> peers.abortAll(SERVER_GONE));
        peerServer.start();
    }

    /** What a client of a node whose agent went away sees: its streams fail UNAVAILABLE. */
    private void endOpenCalls(String node, PeerService peers) {
        streams.abort(node, SERVER_GONE);
        peers.abortAll(SERVER_GONE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            while (streams.hasOpen(node) && System.nanoTime() < deadline) {
                Thread.sleep(2); // the pumps send the UNAVAILABLE status on their own threads
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<ChangeNotification> peerNotifications() {
        List<ChangeNotification> peers = new ArrayList<>();
        nodeServers.forEach((node, server) -> {
            ChangeNotification.Builder peer = ChangeNotification.newBuilder()
                    .setName(node).setAddress(server.target()).setType(ChangeNotificationType.PEER_ADDED);
            if (config.tls() != null) {
                peer.setTls(TLS.newBuilder().setServerName(topology.node(node).tlsServerName()));
            }
            peers.add(peer.build());
        });
        return peers;
    }

    /**
     * The node's Hubble state flips at once (so the traffic thread stops or resumes recording at
     * exactly that instant); the server work runs on {@code serverWork}.
     */
    private void hubbleDown(String node, long atNanos, Executor serverWork) {
        hubble(node).stop();
        truth.unobservable(node, atNanos, Long.MAX_VALUE);
        if (relay != null) {
            relay.nodeFailed(node);
        } else {
            serverWork.execute(nodeServers.get(node)::stop);
        }
    }

    private void hubbleUp(String node, boolean keepRing, long atNanos, Executor serverWork) {
        NodeHubble hubble = hubble(node);
        if (hubble.isUp()) {
            throw new IllegalStateException(node + " is not stopped");
        }
        hubble.start(keepRing);
        truth.observableAgain(node, atNanos);
        if (relay != null) {
            relay.nodeBack(node);
        } else {
            serverWork.execute(nodeServers.get(node)::start);
        }
    }

    /** The node's server stops answering (Relay: NODE_ERROR); its agent keeps recording into the ring. */
    private void serverUnreachable(String node, long atNanos, Executor serverWork) {
        if (relay != null) {
            // Relay resumes the node with our original request: without a since, from "now".
            truth.unobservable(node, atNanos, Long.MAX_VALUE);
            hubble(node).setReachable(false);
            relay.nodeFailed(node);
        } else {
            serverWork.execute(nodeServers.get(node)::stop);
        }
    }

    private void serverReachable(String node, long atNanos, Executor serverWork) {
        if (relay != null) {
            truth.observableAgain(node, atNanos);
            hubble(node).setReachable(true);
            relay.nodeBack(node);
        } else {
            serverWork.execute(nodeServers.get(node)::start);
        }
    }

    private NodeHubble hubble(String node) {
        NodeHubble hubble = hubbles.get(node);
        if (hubble == null) {
            throw new IllegalArgumentException("no node named '" + node + "' (nodes: " + hubbles.keySet() + ")");
        }
        return hubble;
    }

    private NodeEventLog log(String node) {
        hubble(node);
        return logs.get(node);
    }

    private List<HubbleServer> allServers() {
        List<HubbleServer> all = new ArrayList<>(nodeServers.values());
        if (peerServer != null) {
            all.add(peerServer);
        }
        if (relayServer != null) {
            all.add(relayServer);
        }
        return all;
    }

    private void requireMode(SimMode mode) {
        if (config.mode() != mode) {
            throw new IllegalStateException("only in " + mode + " mode; this simulator runs in " + config.mode());
        }
    }

    /** Scenario faults act on the traffic thread; the (blocking) server stops and starts run on the control thread. */
    private final class ScenarioControl implements TrafficGenerator.NodeControl {
        @Override
        public void hubbleDown(String node, long atNanos) {
            if (hubble(node).isUp()) {
                Simulator.this.hubbleDown(node, atNanos, control);
            }
        }

        @Override
        public void hubbleUp(String node, boolean keepRing, long atNanos) {
            if (!hubble(node).isUp()) {
                Simulator.this.hubbleUp(node, keepRing, atNanos, control);
            }
        }

        @Override
        public void serverUnreachable(String node, long atNanos) {
            if (hubble(node).isUp()) {
                Simulator.this.serverUnreachable(node, atNanos, control);
            }
        }

        @Override
        public void serverReachable(String node, long atNanos) {
            if (hubble(node).isUp()) {
                Simulator.this.serverReachable(node, atNanos, control);
            }
        }
    }
}
