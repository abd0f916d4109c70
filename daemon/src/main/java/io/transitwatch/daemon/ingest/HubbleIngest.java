package io.transitwatch.daemon.ingest;

import io.grpc.ClientInterceptor;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.topology.NodeAddressBook;
import io.transitwatch.daemon.topology.NodeAddresses;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Thread-safe lifecycle: {@link #start} and {@link #close} once each, from the owning thread;
 * {@link #ring()} is drained by exactly one consumer thread; {@link #state()} is read from any.
 *
 * <p>The Hubble ingest, and the owner of everything it runs on: the hand-off ring, the gRPC
 * channels and their threads ({@code transitwatch-ingest-netty}, {@code transitwatch-ingest-grpc}),
 * the timer thread for reconnects, polling and TLS file checks ({@code transitwatch-ingest-timer}), and the streams —
 * one per node in direct mode (static list or Peer discovery), one to Hubble Relay in relay mode.
 * What it produces is a sequence of {@code NodeEvent}s in {@link #ring()}; it holds no join logic.
 *
 * <p>It names its threads' roles; the caller decides how they are made: {@code threads} gives the
 * factory for a role ({@code ingest-timer}, {@code ingest-netty}, {@code ingest-grpc}), e.g.
 * {@code NamedThreadFactory::daemon}, so that this package does not depend on the lifecycle code
 * that wires it (ADR 0006).
 *
 * <p>Close order: stop the streams (their last NODE_DOWN events are published), then the channels
 * and threads. The consumer should keep draining the ring until {@code close()} returned.
 */
public final class HubbleIngest implements AutoCloseable {
    private final IngestConfig config;
    private final HandoffRing ring;
    private final IngestState state;
    private final HubbleChannels channels;
    private final ScheduledThreadPoolExecutor scheduler;
    private final DirectIngest direct;
    private final RelayStream relay;
    private final RelayNodePoller relayPoller;
    private final NodeAddressBook addresses;
    private final EventRateWatch rateWatch;
    private final Object lifecycleLock = new Object(); // start() vs. close() from different threads
    private boolean started;
    private boolean closed;

    /** @param threads the thread factory for each of the ingest's thread roles */
    public HubbleIngest(IngestConfig config, StringDictionary dictionary, Clock clock,
            Function<String, ThreadFactory> threads) {
        this(config, dictionary, clock, threads, List.of());
    }

    /** With client interceptors on every channel: for tests that count what is requested. */
    HubbleIngest(IngestConfig config, StringDictionary dictionary, Clock clock, Function<String, ThreadFactory> threads,
            List<ClientInterceptor> interceptors) {
        this.config = config;
        this.ring = new HandoffRing(config.ringCapacity(), clock);
        this.state = new IngestState(config.initialProfile(), new OverloadSignal(ring, clock));
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads.apply("ingest-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            this.channels = new HubbleChannels(config.tls(), config.tlsReloadInterval(), scheduler, interceptors,
                    threads);
        } catch (RuntimeException e) { // unreadable TLS files: nothing else was started
            scheduler.shutdownNow();
            throw e;
        }
        this.addresses = new NodeAddressBook(dictionary::pin, snapshot -> ring.publishControl(HubbleIngest::writeAddresses,
                snapshot));
        this.rateWatch = new EventRateWatch(clock, dictionary, ring);
        IngestContext context = new IngestContext(config, ring, dictionary, clock, scheduler, channels, state,
                addresses, rateWatch);
        if (config.mode() == IngestConfig.Mode.RELAY) {
            this.relay = new RelayStream(context);
            this.relayPoller = new RelayNodePoller(context, relay);
            this.direct = null;
        } else {
            this.direct = new DirectIngest(context);
            this.relay = null;
            this.relayPoller = null;
        }
    }

    /** Opens the streams (asynchronously: failures show up as NODE_DOWN events and in {@link #state()}). */
    public void start() {
        synchronized (lifecycleLock) {
            if (started) {
                throw new IllegalStateException("already started");
            }
            started = true;
            if (relay != null) {
                relay.start();
                relayPoller.start();
            } else {
                direct.start();
            }
        }
    }

    /**
     * Direct mode: streams only from the nodes {@code nodes} accepts, whether listed or announced by the
     * Peer service (a collector's shard, DESIGN §8); the others get no connection at all. Relay mode
     * merges every node into one stream and ignores this: the consumer drops the others' events.
     * Call before {@link #start}.
     */
    public void streamOnly(java.util.function.Predicate<String> nodes) {
        if (direct != null) {
            direct.streamOnly(nodes);
        }
    }

    /**
     * Direct mode: each node's first stream asks Hubble for everything since {@code nanos} (less the
     * backfill overlap) and counts as a reconnect: a gap if Hubble's ring no longer reaches back that
     * far, NODE_UP marked backfilled. A restarted collector passes where its predecessor's writes end.
     * Only nodes whose first stream starts before {@code untilNanos} (the ingest's clock) resume: a node
     * that joins later had no predecessor. Relay mode ignores it. Call before {@link #start}.
     */
    public void resumeAfter(long nanos, long untilNanos) {
        if (direct != null) {
            direct.resumeAfter(nanos, untilNanos);
        }
    }

    /** The hand-off ring the consumer drains with {@link HandoffRing#poll}. */
    public HandoffRing ring() {
        return ring;
    }

    /** Per-source health and counters, for metrics. */
    public IngestState state() {
        return state;
    }

    public IngestConfig config() {
        return config;
    }

    /**
     * The nodes' own addresses: the Peer service (per-node mode) and GetNodes (relay mode) feed it, the
     * lifecycle adds the configured ones, a Kubernetes discovery may add its own; each change reaches
     * the join as a NODE_ADDRESSES event on this ingest's ring.
     */
    public NodeAddressBook nodeAddresses() {
        return addresses;
    }

    /**
     * The nodes (dictionary ids) whose datapath drops events past a rate limit, each with the most events
     * a second it lets through (Kubernetes discovery's calibration); the ingest polls their Hubble event
     * counts and reports the seconds that came near the limit as lost events. Any thread.
     */
    public void eventsRateLimits(Map<Integer, Long> eventsPerSecond) {
        rateWatch.limits(eventsPerSecond);
    }

    private static void writeAddresses(NodeEvent slot, NodeAddresses snapshot) {
        slot.kind = NodeEvent.NODE_ADDRESSES;
        slot.nodeAddresses = snapshot;
    }

    @Override
    public void close() {
        synchronized (lifecycleLock) {
            closeOnce();
        }
    }

    private void closeOnce() {
        if (closed) {
            return;
        }
        closed = true;
        // Streams are stopped on the scheduler, where direct mode adds and removes them.
        Runnable stopStreams = () -> {
            if (relay != null) {
                relayPoller.close();
                relay.stop("ingest stopped");
            } else {
                direct.close();
            }
        };
        try {
            scheduler.submit(stopStreams).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            System.getLogger(HubbleIngest.class.getName()).log(System.Logger.Level.WARNING,
                    "streams did not stop cleanly", e);
        }
        scheduler.shutdownNow();
        channels.close();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
