package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.http.RoleEndpoint;
import io.transitwatch.daemon.http.RoleView;
import io.transitwatch.daemon.http.RoleView.RoleMetric;
import io.transitwatch.daemon.ingest.HubbleIngest;
import io.transitwatch.daemon.ingest.NodeIngestState;
import io.transitwatch.daemon.join.JoinDutyCycle;
import io.transitwatch.daemon.scale.EventKeys;
import io.transitwatch.daemon.scale.EventPublisher;
import io.transitwatch.daemon.scale.ShardAssignment;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.sinks.kafka.KafkaSinkConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Thread-safe lifecycle ({@link #start} and {@link #close} from any thread, once each); the publishing
 * loop runs on the one {@code transitwatch-collect} thread it owns, the only user of the publisher.
 *
 * <p>{@code transitwatch collect} (DESIGN §8): the single process's ingest (Hubble streams, decoding,
 * the hand-off ring), whose consumer is an {@link EventPublisher} instead of the join: the events of
 * this shard's nodes go to the event topic, keyed for the correlators; stream health goes into every
 * partition and, keyed by node, to the compacted observers topic; a watermark heartbeat goes into
 * every partition every {@code scale.heartbeat-interval}. Kafka's idempotent producer keeps each
 * partition in the order we send.
 *
 * <p><b>A record Kafka did not take ends the collector.</b> A heartbeat promises that everything
 * before its watermark is written; after a failed send (delivery timeout, buffer full for {@code
 * max.block.ms}, authorization) that promise would be false, and a correlator would judge the missing
 * arrivals LOST. So the first failure stops every further send, heartbeats included, and force-closes
 * the producer from the failure callback: what is still queued behind the failed batch is dropped,
 * and what is already in flight has a later idempotent sequence number, which the broker refuses
 * without the failed batch. {@code transitwatch collect} then exits with 1. The correlators see the
 * silence, turn its nodes' windows UNVERIFIED after {@code scale.collector-timeout}, and the restarted
 * process re-reads the nodes' rings.
 */
public final class Collector implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Collector.class.getName());
    private static final int DICTIONARY_CAPACITY = 1 << 20;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * A heartbeat promises everything received before its watermark is written; an event stamped by
     * an ingest thread just before the ring was found empty may still be on its way into the ring.
     */
    private static final long WATERMARK_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final HubbleIngest ingest;
    private final Producer<byte[], byte[]> producer;
    /** How much further back than its predecessor's watermark a restarted collector asks Hubble for (node clocks differ). */
    private static final long RESUME_CLOCK_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * A predecessor silent for longer is not resumed: what it missed is past what a node's Hubble ring
     * holds at any real rate, and the re-read would come before the correlators have the node's clock.
     * Also how long after start a node is still resumed (a node that joins later has no predecessor).
     */
    private static final long RESUME_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private final EventPublisher publisher;
    private final Clock clock;
    private final long heartbeatNanos;
    private final Thread thread;
    private final AtomicLong sendFailures = new AtomicLong();
    /**
     * Per partition: the watermark of the newest heartbeat the broker acknowledged there. Written by
     * the producer's I/O thread, read by the publishing thread (EventPublisher.RecordSink#deliveredThrough).
     */
    private final AtomicLongArray heartbeatsDelivered;
    /** The first send Kafka refused; from then on nothing is sent (see the class comment). */
    private volatile Exception failure;
    private final ShardAssignment shards;
    private volatile boolean running = true;

    Collector(Settings settings, Clock clock, Producer<byte[], byte[]> producer, Map<String, String> environment) {
        this.clock = clock;
        this.producer = producer;
        this.shards = new ShardAssignment(settings.integer(ConfigKeys.SCALE_SHARDS), shardIndex(settings, environment));
        String member = settings.find(ConfigKeys.SCALE_MEMBER_ID)
                .orElse(environment.getOrDefault("HOSTNAME", "collector-" + shards.shard()));
        StringDictionary dictionary = new StringDictionary(DICTIONARY_CAPACITY, clock, Daemon.dictionaryHold(settings));
        this.ingest = new HubbleIngest(IngestSettings.from(settings), dictionary, clock, NamedThreadFactory::daemon);
        ingest.streamOnly(shards::owns); // direct mode: no stream to another shard's nodes (relay: dropped on publish)
        List<IpPrefix> cidrs = new ArrayList<>();
        settings.get(ConfigKeys.TOPOLOGY_POD_CIDRS).values().forEach(cidrs::addAll);
        String events = settings.string(ConfigKeys.SCALE_TOPIC_EVENTS);
        String observers = settings.string(ConfigKeys.SCALE_TOPIC_OBSERVERS);
        int partitions = producer.partitionsFor(events).size();
        this.heartbeatsDelivered = new AtomicLongArray(partitions);
        this.publisher = new EventPublisher(dictionary, shards, new EventKeys(JoinSettings.from(settings), cidrs),
                new EventPublisher.RecordSink() {
                    @Override
                    public void send(int partition, byte[] key, byte[] value) {
                        write(new ProducerRecord<>(events, partition < 0 ? null : partition, key, value));
                    }

                    @Override
                    public void heartbeat(int partition, byte[] value, long watermarkNanos) {
                        write(new ProducerRecord<>(events, partition, null, value),
                                () -> heartbeatsDelivered.accumulateAndGet(partition, watermarkNanos, Math::max));
                    }

                    @Override
                    public long deliveredThrough(int partition) {
                        return heartbeatsDelivered.get(partition);
                    }

                    @Override
                    public void status(byte[] node, byte[] value) {
                        write(new ProducerRecord<>(observers, node, value));
                    }
                }, partitions, member);
        this.heartbeatNanos = settings.duration(ConfigKeys.SCALE_HEARTBEAT_INTERVAL).toNanos();
        this.thread = NamedThreadFactory.nonDaemon("collect").newThread(this::run);
        LOG.log(System.Logger.Level.INFO, () -> "collector " + member + ": shard " + shards.shard() + " of "
                + shards.shards() + ", " + partitions + " partitions of " + events);
    }

    /** Builds the producer from {@code kafka.*} and starts the publishing loop, then the Hubble streams. */
    public static Collector start(Settings settings, Clock clock) {
        List<String> brokers = settings.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS);
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("kafka.bootstrap-servers is empty; transitwatch collect writes to Kafka: "
                    + "set it to the brokers, e.g. --set kafka.bootstrap-servers=kafka:9092");
        }
        Map<String, String> overrides = settings.passThrough(ConfigKeys.KAFKA_PRODUCER);
        Map<String, Object> properties = KafkaSinkConfig.defaults(String.join(",", brokers))
                .withCluster(settings.string(ConfigKeys.KAFKA_CLUSTER)).withProducer(overrides).producerProperties();
        if (!overrides.containsKey("max.block.ms")) {
            // the alert sink's 1 s never blocks the join; a collector must rather wait than drop (backpressure to Hubble)
            properties.put("max.block.ms", "60000");
        }
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties);
        Collector collector;
        try {
            collector = new Collector(settings, clock, producer, System.getenv());
        } catch (RuntimeException e) {
            producer.close(Duration.ofSeconds(1));
            throw e;
        }
        long predecessor = CollectorResume.lastWatermark(settings, String.join(",", brokers), collector.shards.shard());
        long now = clock.epochNanos();
        if (predecessor > 0 && now - predecessor <= RESUME_LIMIT_NANOS) {
            // The watermark is our clock, Hubble's since the node's: reach back further; more costs only duplicates.
            collector.ingest.resumeAfter(predecessor - RESUME_CLOCK_MARGIN_NANOS, now + RESUME_LIMIT_NANOS);
        } else if (predecessor > 0) {
            LOG.log(System.Logger.Level.INFO, () -> "shard " + collector.shards.shard() + "'s predecessor stopped "
                    + TimeUnit.NANOSECONDS.toSeconds(now - predecessor) + " s ago, longer than Hubble's ring is "
                    + "trusted to reach back: the streams start from now, and the correlators keep the outage UNVERIFIED");
        }
        // Before any stream opens: in every partition a restarted collector's first record is a heartbeat
        // whose sequence starts again, so the correlators put its nodes down before its new streams write.
        collector.publisher.heartbeat(clock.epochNanos() - WATERMARK_MARGIN_NANOS);
        collector.thread.start();
        collector.ingest.start();
        return collector;
    }

    /** The shard index: {@code scale.shard-index}, else the StatefulSet ordinal of HOSTNAME. */
    static int shardIndex(Settings settings, Map<String, String> environment) {
        return settings.find(ConfigKeys.SCALE_SHARD_INDEX).orElseGet(() -> ShardAssignment
                .ordinalOf(environment.get("HOSTNAME")).orElseThrow(() -> new IllegalArgumentException(
                        "scale.shard-index is not set and HOSTNAME (" + environment.get("HOSTNAME")
                                + ") ends in no StatefulSet ordinal: set scale.shard-index to 0.."
                                + (settings.integer(ConfigKeys.SCALE_SHARDS) - 1))));
    }

    private void write(ProducerRecord<byte[], byte[]> record) {
        write(record, null);
    }

    /** @param onDelivered run on the producer's I/O thread once the broker acknowledged the record, or null */
    private void write(ProducerRecord<byte[], byte[]> record, Runnable onDelivered) {
        if (failure != null) {
            sendFailures.incrementAndGet();
            return;
        }
        try {
            producer.send(record, (metadata, failed) -> {
                if (failed != null) {
                    fail(failed);
                } else if (onDelivered != null) {
                    onDelivered.run();
                }
            });
        } catch (KafkaException | IllegalStateException e) { // closed by a failure on the producer's own thread
            fail(e);
        }
    }

    /** On the producer's I/O thread (a failed batch) or the publishing thread (a refused send). */
    private void fail(Exception cause) {
        sendFailures.incrementAndGet();
        if (failure != null) {
            return;
        }
        failure = cause;
        LOG.log(System.Logger.Level.ERROR, "a record could not be written to Kafka (" + cause + "): this collector "
                + "stops writing, heartbeats included, and exits. The correlators turn its nodes' windows UNVERIFIED "
                + "after scale.collector-timeout; its restart re-reads the nodes from Hubble.");
        producer.close(Duration.ZERO); // drops what is queued behind the failed batch (see the class comment)
    }

    private void run() {
        long nextHeartbeat = clock.epochNanos();
        while (running && failure == null) {
            long drainStarted = clock.epochNanos();
            int polled = ingest.ring().poll(publisher, JoinDutyCycle.BATCH);
            if (polled < JoinDutyCycle.BATCH && drainStarted >= nextHeartbeat) {
                publisher.heartbeat(drainStarted - WATERMARK_MARGIN_NANOS);
                nextHeartbeat = drainStarted + heartbeatNanos;
            }
            if (polled == 0) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
        while (failure == null && ingest.ring().poll(publisher, JoinDutyCycle.BATCH) > 0) {
            Thread.onSpinWait(); // what the ingest handed over before it stopped
        }
    }

    /** Whether a record could not be written: the collector has stopped writing and must exit (see {@link #failure()}). */
    public boolean failed() {
        return failure != null;
    }

    public Exception failure() {
        return failure;
    }

    /** Records the producer could not deliver, or not sent after the first such failure. */
    public long sendFailures() {
        return sendFailures.get();
    }

    public EventPublisher publisher() {
        return publisher;
    }

    public ShardAssignment shards() {
        return shards;
    }

    /**
     * What its HTTP port shows ({@link RoleEndpoint}): live until a record could not be written, ready
     * while at least one Hubble stream of its shard is up; its counters, read racily from the
     * publishing thread's (a scrape may trail it by a moment).
     */
    public RoleView view() {
        return RoleView.of(
                () -> failure != null ? "a record could not be written to Kafka: " + failure
                        : thread.isAlive() ? null : "the publishing thread has ended",
                this::notReadyReason,
                () -> List.of(
                        RoleMetric.counter("transitwatch_collector_events_published",
                                "Hubble events of this shard's nodes written to scale.topic.events", publisher.published()),
                        RoleMetric.counter("transitwatch_collector_records",
                                "Records written to scale.topic.events, heartbeats excluded", publisher.records()),
                        RoleMetric.counter("transitwatch_collector_heartbeats",
                                "Heartbeat rounds written (each to every partition)", publisher.heartbeats()),
                        RoleMetric.counter("transitwatch_collector_undelivered_heartbeats",
                                "Heartbeats (one per partition) written while the broker had not acknowledged this "
                                + "collector's records to that partition for over a second", publisher.undeliveredHeartbeats()),
                        RoleMetric.counter("transitwatch_collector_send_failures",
                                "Records Kafka could not take (the collector then stops and exits)", sendFailures.get()),
                        RoleMetric.gauge("transitwatch_collector_streams_up",
                                "Hubble streams of this shard's nodes that are up", streamsUp()),
                        RoleMetric.gauge("transitwatch_collector_shard", "This collector's shard index", shards.shard()),
                        RoleMetric.gauge("transitwatch_collector_shards", "scale.shards", shards.shards())));
    }

    private long streamsUp() {
        return ingest.state().nodes().stream().filter(NodeIngestState::connected).count();
    }

    private String notReadyReason() {
        return streamsUp() > 0 ? null : "no Hubble stream of shard " + shards.shard() + " of " + shards.shards() + " is up";
    }

    /** Stops the streams, publishes what they handed over, then flushes the producer. */
    @Override
    public void close() {
        ingest.close();
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
