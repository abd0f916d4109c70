package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.http.DaemonView;
import io.transitwatch.daemon.http.HttpEndpoint;
import io.transitwatch.daemon.incident.AlertFactory;
import io.transitwatch.daemon.incident.IncidentTracker;
import io.transitwatch.daemon.ingest.HubbleIngest;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinEngine;
import io.transitwatch.daemon.join.JoinLoop;
import io.transitwatch.daemon.kubernetes.DiscoveryStatus;
import io.transitwatch.daemon.kubernetes.KubernetesDiscovery;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.daemon.topology.NodeAddressSource;
import io.transitwatch.daemon.topology.Topology;
import io.transitwatch.sinks.dispatch.DispatchSettings;
import io.transitwatch.sinks.dispatch.SinkDispatcher;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Thread-safe lifecycle: {@link #start} and {@link #close} may be called from any thread, once each.
 *
 * <p>The running daemon, wired from one {@link Settings}: Hubble ingest → hand-off ring → the join
 * thread (engine, topology, alert factory, incident tracker) → the sink dispatcher, and the HTTP
 * endpoint that reads them all ({@code /metrics}, probes, the web page; off with {@code http.port=-1}).
 * It owns every thread it starts and closes them in the order that loses nothing: HTTP first (it
 * only reads), then the ingest (its last NODE_DOWN events still reach the ring), then the join (it
 * drains the ring), then the sinks (they drain their queues and flush within the shutdown deadline).
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());
    private static final int DICTIONARY_CAPACITY = 1 << 20;
    /** At most one log line per this interval for repeated join failures (each one is counted). */
    private static final Duration JOIN_ERROR_LOG_INTERVAL = Duration.ofSeconds(10);
    /** Margin on top of the configured holding times (ring latency, a slow join cycle). */
    private static final Duration DICTIONARY_HOLD_MARGIN = Duration.ofMinutes(1);

    private final Settings settings;
    private final StringDictionary dictionary;
    private final HubbleIngest ingest;
    private final JoinCounters counters;
    private final JoinEngine engine;
    private final JoinLoop joinLoop;
    private final IncidentTracker incidents;
    private final AlertFactory alerts;
    private final Topology topology;
    private final SinkDispatcher dispatcher;
    private final KubernetesDiscovery discovery;
    private HttpEndpoint http;
    private boolean closed;

    private Daemon(Settings settings, Clock clock, PrintStream stdout) {
        this.settings = settings;
        this.dictionary = new StringDictionary(DICTIONARY_CAPACITY, clock, dictionaryHold(settings));
        this.ingest = new HubbleIngest(IngestSettings.from(settings), dictionary, clock, NamedThreadFactory::daemon);
        this.dispatcher = new SinkDispatcher(SinkAssembly.sinks(settings, stdout, clock),
                NamedThreadFactory.daemon("sink"),
                DispatchSettings.defaults().withQueueCapacity(settings.integer(ConfigKeys.SINKS_QUEUE_CAPACITY)),
                System::nanoTime);
        JoinAssembly join = JoinAssembly.from(settings, dictionary, clock, dispatcher::offer);
        this.incidents = join.incidents();
        this.topology = join.topology();
        this.alerts = join.alerts();
        this.counters = join.counters();
        this.engine = join.engine();
        // The join starts with the configured addresses (JoinAssembly); Peer and GetNodes add theirs to the
        // same book, which keeps the configured ones first whenever it sends the join a new snapshot.
        ingest.nodeAddresses().replace(NodeAddressSource.CONFIG, settings.get(ConfigKeys.TOPOLOGY_NODE_ADDRESSES));
        this.discovery = DiscoveryAssembly.build(settings, dictionary, ingest, clock);
        this.joinLoop = new JoinLoop(ingest.ring()::poll, engine, clock, NamedThreadFactory.nonDaemon("join"),
                new ThrottledErrorLog(System.getLogger(JoinLoop.class.getName()), "join", clock, JOIN_ERROR_LOG_INTERVAL));
    }

    /**
     * How long after a name was last interned its id may still be resolved, so that the dictionary
     * recycles only ids nobody holds: a departure waits up to window + max(max-behind, down-grace)
     * + catch-up for its verdict (its interface name with it), a LOST one stays in the lost history
     * for the late horizon, arrivals are remembered for the arrival memory, and the topology keeps a
     * learned pod name for at most its TTL after the last flow that named it. Node names are pinned.
     */
    static Duration dictionaryHold(Settings settings) {
        return settings.duration(ConfigKeys.TOPOLOGY_LEARNED_TTL)
                .plus(settings.duration(ConfigKeys.JOIN_WINDOW))
                .plus(settings.duration(ConfigKeys.JOIN_ARRIVAL_MEMORY))
                .plus(settings.duration(ConfigKeys.JOIN_MAX_BEHIND))
                .plus(settings.duration(ConfigKeys.JOIN_DOWN_GRACE))
                .plus(settings.duration(ConfigKeys.JOIN_CATCH_UP_LIMIT))
                .plus(settings.duration(ConfigKeys.JOIN_LATE_HORIZON))
                .plus(DICTIONARY_HOLD_MARGIN);
    }

    /**
     * Builds and starts everything: sinks first, then the join, then HTTP (so that {@code /readyz}
     * answers "not ready" until a stream is up), then the Hubble streams.
     */
    public static Daemon start(Settings settings, Clock clock, PrintStream stdout) {
        Daemon daemon = new Daemon(settings, clock, stdout);
        daemon.dispatcher.start();
        daemon.joinLoop.start();
        try {
            daemon.startHttp();
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        if (daemon.discovery != null) {
            // Before the streams: the first snapshot is in the ring ahead of the first flow.
            daemon.discovery.start();
        }
        daemon.ingest.start();
        LOG.log(System.Logger.Level.INFO, () -> "started: " + describe(settings));
        return daemon;
    }

    private synchronized void startHttp() {
        int port = settings.integer(ConfigKeys.HTTP_PORT);
        if (port < 0) {
            return;
        }
        DaemonView view = new DaemonView(counters, dictionary, ingest.state(), ingest.ring(), engine, joinLoop,
                incidents, alerts, dispatcher,
                discovery == null ? DiscoveryStatus::disabled : discovery::status);
        http = HttpEndpoint.start(new InetSocketAddress(settings.string(ConfigKeys.HTTP_ADDRESS), port), view,
                NamedThreadFactory.daemon("http"), NamedThreadFactory.daemon("http-sampler"));
        LOG.log(System.Logger.Level.INFO, () -> "http: /metrics, /healthz, /readyz and the web page (" + url()
                + ") listening on " + httpListenAddress());
    }

    /** The bound HTTP port (the chosen one for {@code http.port=0}), or -1 when HTTP is off. */
    public synchronized int httpPort() {
        return http == null ? -1 : http.port();
    }

    /**
     * Where the HTTP server really listens: {@code 127.0.0.1:8080}, {@code [::1]:8080}, or for a wildcard
     * {@code http.address} (0.0.0.0 or ::, which the JDK binds as one dual-stack socket)
     * {@code every interface, port 8080}; null when HTTP is off.
     */
    public synchronized String httpListenAddress() {
        if (http == null) {
            return null;
        }
        InetSocketAddress bound = http.address();
        if (bound.getAddress().isAnyLocalAddress()) {
            return "every interface, port " + bound.getPort();
        }
        String host = bound.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
    }

    /**
     * A URL of the web page, e.g. {@code http://127.0.0.1:8080/} (on a wildcard address, the loopback
     * one), or null when HTTP is off.
     */
    public synchronized String url() {
        if (http == null) {
            return null;
        }
        InetSocketAddress bound = http.address();
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/";
    }

    public StringDictionary dictionary() {
        return dictionary;
    }

    public HubbleIngest ingest() {
        return ingest;
    }

    public JoinCounters counters() {
        return counters;
    }

    public JoinEngine engine() {
        return engine;
    }

    public JoinLoop joinLoop() {
        return joinLoop;
    }

    public IncidentTracker incidents() {
        return incidents;
    }

    public AlertFactory alerts() {
        return alerts;
    }

    public SinkDispatcher dispatcher() {
        return dispatcher;
    }

    public Settings settings() {
        return settings;
    }

    /** Where destination IPs are placed; its per-source counts are read by doctor (a recent value). */
    public Topology topology() {
        return topology;
    }

    /** Kubernetes discovery, or null when {@code kubernetes.enabled} is off. */
    public KubernetesDiscovery discovery() {
        return discovery;
    }

    /** Stops the streams, drains the join, then flushes the sinks within {@code sinks.shutdown-deadline}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.close();
        }
        if (discovery != null) {
            discovery.close();
        }
        ingest.close();
        joinLoop.close();
        Duration deadline = settings.duration(ConfigKeys.SINKS_SHUTDOWN_DEADLINE);
        if (!dispatcher.close(deadline)) {
            LOG.log(System.Logger.Level.WARNING, "sinks did not flush everything within " + deadline);
        }
    }

    private static String describe(Settings settings) {
        return switch (settings.get(ConfigKeys.HUBBLE_MODE)) {
            case RELAY -> "relay " + settings.string(ConfigKeys.HUBBLE_RELAY_ADDRESS);
            case DIRECT -> settings.get(ConfigKeys.HUBBLE_NODES).isEmpty()
                    ? "direct, nodes from the Peer service " + settings.string(ConfigKeys.HUBBLE_PEER_ADDRESS)
                    : "direct, nodes " + settings.get(ConfigKeys.HUBBLE_NODES);
        } + (settings.bool(ConfigKeys.KUBERNETES_ENABLED) ? ", kubernetes discovery on" : "")
                + ", window " + settings.duration(ConfigKeys.JOIN_WINDOW).toMillis() + " ms, sinks "
                + settings.get(ConfigKeys.SINKS);
    }
}
