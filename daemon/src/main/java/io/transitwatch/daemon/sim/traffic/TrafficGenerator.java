package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.Fault;
import io.transitwatch.daemon.sim.L4Protocol;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimNode;
import io.transitwatch.daemon.sim.hubble.NodeHubble;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Single-threaded: only the traffic thread calls {@link #advanceTo}; {@link #pause()},
 * {@link #resume()} and {@link #loseEvents} may be called from any thread (they are queued for the
 * traffic thread).
 *
 * <p>The simulated cluster's datapath. New conversations start as a Poisson process at the
 * scenario's rate (plus the steady periodic ones), each plays out packet by packet in true time, and
 * every node's trace and drop events flow into that node's Hubble ring. The same seed and start time
 * give the same events, whatever the tick length.
 */
public final class TrafficGenerator {
    /** What the generator needs from its owner when a scenario takes a node's Hubble down and up. */
    public interface NodeControl {
        /** Called on the traffic thread at true time {@code atNanos}; must not block. */
        void hubbleDown(String node, long atNanos);

        /** Called on the traffic thread at true time {@code atNanos}; must not block. */
        void hubbleUp(String node, boolean keepRing, long atNanos);

        /** The node's server is unreachable from true time {@code atNanos}; its agent keeps recording. Must not block. */
        void serverUnreachable(String node, long atNanos);

        /** The node's server is reachable again at true time {@code atNanos}. Must not block. */
        void serverReachable(String node, long atNanos);
    }

    private final Scenario scenario;
    private final ClusterTopology topology;
    private final EventScheduler scheduler;
    private final Datapath datapath;
    private final TrafficMix mix;
    private final FaultModel faults;
    private final SplittableRandom random;
    private final PortAllocator ports;
    private final TruthRecorder truth;
    private final EventEmitter emitter;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private long nextConversationId;
    private boolean launching = true;
    /** Bumped on every resume, so launchers from before a pause stop rescheduling themselves. */
    private int launchGeneration;

    public TrafficGenerator(ClusterTopology topology, Scenario scenario, long startNanos,
            Map<String, NodeHubble> hubbles, Map<String, NodeEventLog> logs, TruthRecorder truth,
            NodeControl control, boolean tunnel) {
        this.scenario = scenario;
        this.topology = topology;
        this.truth = truth;
        SplittableRandom root = new SplittableRandom(scenario.seed());
        this.random = root.split();
        this.ports = new PortAllocator(root.split());
        this.scheduler = new EventScheduler(startNanos);
        this.faults = new FaultModel(scenario);
        this.mix = new TrafficMix(topology);
        Map<String, ConntrackReporter> conntrack = new HashMap<>();
        topology.nodes().forEach(n -> conntrack.put(n.name(), new ConntrackReporter(scenario.monitorFlags())));
        this.emitter = new EventEmitter(scheduler, faults, truth, root.split(), hubbles, logs);
        this.datapath = new Datapath(scheduler, emitter, new FlowFactory(tunnel), faults, random, truth, conntrack,
                scenario.monitorFlags().reportsFirstData());
        scheduleNodeFaults(startNanos, emitter, control);
        startLaunchers(startNanos);
    }

    /** Plays out everything due up to true time {@code nowNanos}. */
    public void advanceTo(long nowNanos) {
        for (Runnable command; (command = commands.poll()) != null; ) {
            command.run();
        }
        scheduler.runUntil(nowNanos);
        truth.simulatedUntil(nowNanos);
    }

    /** Stops starting new conversations; those under way play out (retransmissions, FINs). */
    public void pause() {
        commands.add(() -> launching = false);
    }

    public void resume() {
        commands.add(() -> {
            if (!launching) {
                launching = true;
                launchGeneration++;
                startLaunchers(scheduler.now());
            }
        });
    }

    /** From now on the next {@code count} events of {@code node} overflow its perf ring ({@link Fault.LostEvents}). */
    public void loseEvents(String node, int count) {
        topology.node(node); // fail fast on a misspelt node
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1: " + count);
        }
        commands.add(() -> emitter.startLostRun(node, count));
    }

    private void startLaunchers(long fromNanos) {
        int generation = launchGeneration;
        if (scenario.connectionsPerSecond() > 0) {
            scheduleRandomLaunch(fromNanos, generation);
        }
        for (TrafficMix.Periodic periodic : mix.periodic()) {
            schedulePeriodicLaunch(periodic, fromNanos, generation);
        }
    }

    private void scheduleRandomLaunch(long afterNanos, int generation) {
        double meanGapNanos = 1e9 / scenario.connectionsPerSecond();
        long gap = (long) (-Math.log(1.0 - random.nextDouble()) * meanGapNanos);
        scheduler.at(afterNanos + gap, () -> {
            if (launching && generation == launchGeneration) {
                launch(mix.next(random));
                scheduleRandomLaunch(scheduler.now(), generation);
            }
        });
    }

    private void schedulePeriodicLaunch(TrafficMix.Periodic periodic, long afterNanos, int generation) {
        long jitter = (long) (periodic.periodNanos() * 0.1 * (2 * random.nextDouble() - 1));
        scheduler.at(afterNanos + periodic.periodNanos() + jitter, () -> {
            if (launching && generation == launchGeneration) {
                launch(periodic.spec());
                schedulePeriodicLaunch(periodic, scheduler.now(), generation);
            }
        });
    }

    private void launch(TrafficMix.Spec spec) {
        long now = scheduler.now();
        long id = nextConversationId++;
        SimNode clientNode = spec.client().node();
        Peer clientPeer = Peer.of(spec.client());
        int clientPort = ports.allocate(spec.client());
        boolean podToPodAcrossNodes = spec.server().isPod() && Peer.crossesWire(clientPeer, spec.server());
        Peer wireClient = clientPeer;
        int wirePort = clientPort;
        Fault.Snat snat = podToPodAcrossNodes ? faults.masquerading(clientNode.name(), spec.family(), random) : null;
        if (snat != null) {
            wireClient = mix.host(clientNode, spec.family(), false);
            wirePort = ports.allocate(clientNode);
            if (snat.reports().beforeSnat()) {
                clientPort = wirePort; // a port no other connection of the node holds: SNAT keeps it
            }
        }
        Conversation conversation;
        if (spec.protocol() == L4Protocol.UDP) {
            conversation = new UdpExchange(datapath, id, spec.family(), spec.client(), spec.server(), clientPort,
                    spec.serverPort(), wireClient, wirePort);
        } else {
            conversation = new TcpConnection(datapath, id, spec.family(), spec.client(), spec.server(), clientPort,
                    spec.serverPort(), wireClient, wirePort, spec.frontend(), spec.lifetimeNanos(),
                    tcpFate(spec, clientNode, podToPodAcrossNodes));
        }
        if (snat != null) {
            conversation.reportMasqueradedDepartures(snat.reports());
        }
        conversation.open(now);
    }

    /** What the faults do to a new TCP connection: handshake losses and MTU loss between pods, refusal by a host. */
    private TcpConnection.Fate tcpFate(TrafficMix.Spec spec, SimNode clientNode, boolean podToPodAcrossNodes) {
        SimNode serverNode = spec.server().node();
        if (podToPodAcrossNodes) {
            boolean loseFirstSyn = faults.losesHandshakePacket(Fault.HandshakePacket.FIRST_SYN, clientNode.name(),
                    serverNode.name(), spec.family(), random);
            boolean loseSynAcks = faults.losesHandshakePacket(Fault.HandshakePacket.SYN_ACK, clientNode.name(),
                    serverNode.name(), spec.family(), random);
            boolean loseResponses = faults.losesFullSize(serverNode.name(), clientNode.name(), spec.family());
            return new TcpConnection.Fate(loseFirstSyn, loseSynAcks, false, loseResponses);
        }
        boolean toHost = !spec.server().isPod() && serverNode != null;
        return toHost && faults.refused(clientNode.name(), serverNode.name(), spec.family(), spec.serverPort())
                ? new TcpConnection.Fate(false, false, true, false) : TcpConnection.Fate.NONE;
    }

    private void scheduleNodeFaults(long startNanos, EventEmitter emitter, NodeControl control) {
        for (Fault.StreamDown down : scenario.faults(Fault.StreamDown.class)) {
            topology.node(down.node()); // fail fast on a misspelt node
            long at = startNanos + down.at().toNanos();
            long until = at + down.duration().toNanos();
            scheduler.at(at, () -> control.hubbleDown(down.node(), at));
            // Hubble keeps its ring in the agent: an agent that was down comes back with an empty one.
            scheduler.at(until, () -> control.hubbleUp(down.node(), false, until));
        }
        for (Fault.LostEvents lost : scenario.faults(Fault.LostEvents.class)) {
            topology.node(lost.node());
            scheduleLostRun(lost, startNanos + lost.at().toNanos(), emitter);
        }
        for (Fault.StreamBreaks breaks : scenario.faults(Fault.StreamBreaks.class)) {
            topology.node(breaks.node());
            SplittableRandom phases = random.split();
            long first = startNanos + breaks.from().toNanos() + (long) (phases.nextDouble() * breaks.every().toNanos());
            scheduleBreak(breaks, first, phases, control);
        }
    }

    private void scheduleBreak(Fault.StreamBreaks breaks, long atNanos, SplittableRandom phases, NodeControl control) {
        long span = breaks.longest().toNanos() - breaks.shortest().toNanos();
        long until = atNanos + breaks.shortest().toNanos() + (long) (phases.nextDouble() * span);
        long next = Math.max(until + 1, atNanos + (long) ((0.5 + phases.nextDouble()) * breaks.every().toNanos()));
        scheduler.at(atNanos, () -> control.serverUnreachable(breaks.node(), atNanos));
        scheduler.at(until, () -> {
            control.serverReachable(breaks.node(), until);
            scheduleBreak(breaks, next, phases, control);
        });
    }

    private void scheduleLostRun(Fault.LostEvents lost, long atNanos, EventEmitter emitter) {
        scheduler.at(atNanos, () -> {
            emitter.startLostRun(lost.node(), lost.count());
            if (lost.every() != null) {
                scheduleLostRun(lost, atNanos + lost.every().toNanos(), emitter);
            }
        });
    }
}
