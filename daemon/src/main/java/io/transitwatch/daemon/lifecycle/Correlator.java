package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.http.RoleEndpoint;
import io.transitwatch.daemon.http.RoleView;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.scale.CorrelatedPartition;
import io.transitwatch.daemon.scale.EventRecordReader;
import io.transitwatch.daemon.scale.OutputGate;
import io.transitwatch.daemon.scale.PairCount;
import io.transitwatch.daemon.scale.PairCountDeltas;
import io.transitwatch.daemon.scale.PartitionJoin;
import io.transitwatch.daemon.scale.PartitionShare;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.kafka.KafkaSink;
import io.transitwatch.sinks.kafka.KafkaSinkConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Thread-safe lifecycle ({@link #start} and {@link #close} from any thread, once each); everything
 * else runs on the one {@code transitwatch-correlate} thread it owns: the Kafka consumers and the
 * producer, the partitions' joins, the rebalance callbacks (Kafka calls them inside {@code poll}).
 *
 * <p>{@code transitwatch correlate} (DESIGN §8): one member of the consumer group
 * {@code scale.correlator-group} on the event topic (cooperative-sticky assignment, static membership
 * {@code group.instance.id} = {@code scale.member-id} or HOSTNAME, {@code read_committed}), one
 * {@link CorrelatedPartition} per assigned partition, and the whole compacted observers topic read by
 * a second, assign()-ed consumer. Alerts (the existing alert records, key = node pair) and pair
 * counts go out with the consumed offsets in one Kafka transaction per batch
 * (read-process-write), so a crash neither loses nor duplicates anything for {@code read_committed}
 * readers. On assignment a partition is rebuilt by replaying {@code W + grace + skew} of it, muted up
 * to its committed offset; a failed transaction is aborted and every partition rebuilt the same way.
 */
public final class Correlator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Correlator.class.getName());
    private static final int DICTIONARY_CAPACITY = 1 << 20;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** Longest a batch stays open: bounds the alerts' latency added by the transaction. */
    private static final long BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final Duration OBSERVERS_CATCH_UP = Duration.ofSeconds(30);
    /** One wait for committed offsets, logged when it runs out (and then repeated). */
    private static final Duration COMMITTED_WAIT = Duration.ofSeconds(30);
    /** Offset metadata: the Kafka timestamp (ms) of the newest record the committing owner had read. */
    private static final String READ_UP_TO = "read-up-to-ms=";

    private final Settings settings;
    private final Clock clock;
    private final CorrelatorClients kafka;
    private final KafkaSinkConfig alertRecords;
    private final String eventsTopic;
    private final String pairCountsTopic;
    private final long replayNanos;
    private final long collectorTimeoutNanos;
    private final StringDictionary dictionary;
    private final Map<Integer, CorrelatedPartition> partitions = new HashMap<>();
    private final ObserverStatuses observers;
    private final List<Alert> pendingAlerts = new ArrayList<>();
    private final List<PairCount> pendingCounts = new ArrayList<>();
    private final Thread thread;
    private final CorrelatorStats stats;
    private volatile boolean running = true;
    private volatile Throwable failure;
    /** Set once the correlator has subscribed to the events topic (readiness). */
    private volatile boolean subscribed;
    private boolean batchHasRecords;
    /** Each partition's join: the configured join's share of the event topic's partitions. */
    private JoinConfig partitionJoin;
    private long batchStartedNanos;

    Correlator(Settings settings, Clock clock, CorrelatorClients kafka) {
        this.settings = settings;
        this.clock = clock;
        this.kafka = kafka;
        this.eventsTopic = settings.string(ConfigKeys.SCALE_TOPIC_EVENTS);
        this.pairCountsTopic = settings.string(ConfigKeys.SCALE_TOPIC_PAIR_COUNTS);
        this.alertRecords = KafkaSinkConfig.defaults(kafka.bootstrapServers())
                .withTopics(settings.string(ConfigKeys.KAFKA_TOPIC_ALERTS), settings.string(ConfigKeys.KAFKA_TOPIC_INCIDENTS))
                .withCluster(settings.string(ConfigKeys.KAFKA_CLUSTER));
        this.replayNanos = settings.duration(ConfigKeys.JOIN_WINDOW).plus(settings.duration(ConfigKeys.JOIN_DOWN_GRACE))
                .plus(settings.duration(ConfigKeys.JOIN_MAX_BEHIND)).toNanos();
        this.collectorTimeoutNanos = settings.duration(ConfigKeys.SCALE_COLLECTOR_TIMEOUT).toNanos();
        this.dictionary = new StringDictionary(DICTIONARY_CAPACITY, clock, Daemon.dictionaryHold(settings));
        this.stats = new CorrelatorStats(clock);
        this.observers = new ObserverStatuses(kafka.observers());
        this.thread = NamedThreadFactory.nonDaemon("correlate").newThread(this::run);
    }

    /** Builds the Kafka clients from {@code kafka.*} and {@code scale.*} and starts the correlator thread. */
    public static Correlator start(Settings settings, Clock clock) {
        Correlator correlator = new Correlator(settings, clock, CorrelatorClients.create(settings, System.getenv()));
        correlator.thread.start();
        return correlator;
    }

    private void run() {
        try {
            kafka.producer().initTransactions();
            int eventPartitions = Math.max(1, kafka.events().partitionsFor(eventsTopic).size());
            partitionJoin = PartitionShare.of(JoinSettings.from(settings), eventPartitions);
            LOG.log(System.Logger.Level.INFO, () -> eventsTopic + " has " + eventPartitions + " partitions: each "
                    + "partition's join holds " + partitionJoin.pendingCapacity() + " departures and "
                    + partitionJoin.arrivalCapacity() + " arrivals");
            observers.catchUp(OBSERVERS_CATCH_UP, POLL_TIMEOUT, () -> running); // rebuilt joins start with it
            kafka.events().subscribe(List.of(eventsTopic), new Rebalance());
            subscribed = true;
            while (running) {
                ConsumerRecords<byte[], byte[]> records = kafka.events().poll(POLL_TIMEOUT);
                observers.poll(Duration.ZERO);
                long now = clock.epochNanos();
                if (!batchHasRecords && pendingAlerts.isEmpty()) {
                    batchStartedNanos = now;
                }
                for (TopicPartition topicPartition : records.partitions()) {
                    CorrelatedPartition partition = partitions.get(topicPartition.partition());
                    if (partition == null) {
                        continue; // revoked inside this poll
                    }
                    for (ConsumerRecord<byte[], byte[]> record : records.records(topicPartition)) {
                        partition.onRecord(record.offset(), record.timestamp(), record.value(), now);
                        batchHasRecords = true;
                    }
                }
                long oldest = Long.MAX_VALUE;
                for (CorrelatedPartition partition : partitions.values()) {
                    partition.advance(now);
                    noteCollectorChanges(partition);
                    long frontier = partition.join().frontier();
                    if (frontier != Long.MIN_VALUE) {
                        oldest = Math.min(oldest, frontier);
                    }
                }
                stats.partitions(partitions.size(), oldest == Long.MAX_VALUE ? Long.MIN_VALUE : oldest);
                if (clock.epochNanos() - batchStartedNanos >= BATCH_NANOS) {
                    commit();
                }
            }
            commit();
        } catch (WakeupException | InterruptException e) {
            LOG.log(System.Logger.Level.DEBUG, "correlator woken up to stop");
        } catch (ProducerFencedException | FencedInstanceIdException e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "another correlator runs with member id " + kafka.member()
                    + " (scale.member-id / HOSTNAME): this one stops. Give every correlator its own id.");
        } catch (RuntimeException | Error e) { // an Error too: a thread that ended unseen would pass liveness
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "correlator stopped", e);
        } finally {
            kafka.close();
        }
    }

    /**
     * Counts and logs collectors declared gone or seen restarted in a partition (rare: the operator's
     * view of why a collector's nodes turn UNVERIFIED; a restart found while replaying is not new).
     */
    private void noteCollectorChanges(CorrelatedPartition partition) {
        long gone = partition.newlyGoneCollectors();
        long restarts = partition.newlyRestartedCollectors();
        if (gone == 0 && restarts == 0) {
            return;
        }
        long goneSoFar = stats.collectorChanges(gone, restarts);
        if (gone > 0) {
            LOG.log(System.Logger.Level.WARNING, () -> "partition " + partition.partition() + ": " + gone
                    + " collector(s) fell behind the others by more than scale.collector-timeout (the last: "
                    + partition.lastGoneCollector() + "); their nodes' windows there turn UNVERIFIED until they "
                    + "are back (collectors declared gone so far: " + goneSoFar + ")");
        }
        if (restarts > 0) {
            LOG.log(System.Logger.Level.INFO, () -> "partition " + partition.partition() + ": " + restarts
                    + " collector(s) started again; their nodes are down there until their new streams are up");
        }
    }

    /** Sends the batch's alerts and pair counts with its offsets in one transaction; on failure rebuilds. */
    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (CorrelatedPartition partition : partitions.values()) {
            partition.collectCounts(pendingCounts);
            long offset = partition.commitOffset();
            if (offset >= 0) {
                offsets.put(new TopicPartition(eventsTopic, partition.partition()),
                        new OffsetAndMetadata(offset, READ_UP_TO + partition.readUpToMillis()));
            }
        }
        batchHasRecords = false;
        batchStartedNanos = clock.epochNanos();
        if (offsets.isEmpty() && pendingAlerts.isEmpty() && pendingCounts.isEmpty()) {
            return;
        }
        try {
            kafka.producer().beginTransaction();
            for (Alert alert : pendingAlerts) {
                kafka.producer().send(KafkaSink.record(alertRecords, alert));
            }
            for (PairCount count : pendingCounts) {
                kafka.producer().send(new ProducerRecord<>(pairCountsTopic, count.key().getBytes(StandardCharsets.UTF_8),
                        count.toJson()));
            }
            if (!offsets.isEmpty()) {
                kafka.producer().sendOffsetsToTransaction(offsets, kafka.events().groupMetadata());
            }
            kafka.producer().commitTransaction();
            stats.committed(pendingAlerts.size(), pendingCounts.size());
        } catch (ProducerFencedException | FencedInstanceIdException | WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            stats.aborted();
            LOG.log(System.Logger.Level.WARNING, "transaction aborted (" + e + "); rebuilding the partitions from "
                    + "their committed offsets");
            kafka.producer().abortTransaction();
            pendingAlerts.clear();
            pendingCounts.clear();
            rebuild(kafka.events().assignment());
            return;
        } finally {
            pendingAlerts.clear();
            pendingCounts.clear();
        }
    }

    /**
     * The partitions' committed offsets, once no open transaction holds them ({@code read_committed}).
     * A correlator killed inside a transaction holds them until the broker aborts it (its
     * {@code transaction.timeout.ms}, 10 s unless set otherwise): wait for that rather than stop.
     */
    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(Set<TopicPartition> partitions) {
        while (true) {
            try {
                return kafka.events().committed(partitions, COMMITTED_WAIT);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (!running) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, () -> "the committed offsets of " + partitions + " are not "
                        + "known after " + COMMITTED_WAIT.toSeconds() + " s: an open transaction holds them (a "
                        + "correlator stopped inside one: the broker aborts it after that producer's "
                        + "transaction.timeout.ms) or the group coordinator is unreachable; still waiting");
            }
        }
    }

    /**
     * (Re)builds the joins of {@code assigned}: seeks each to {@code offsetsForTimes(now − (W + grace +
     * skew))}, or to its committed offset when that is older, and replays muted up to the committed offset.
     */
    private void rebuild(Collection<TopicPartition> assigned) {
        if (assigned.isEmpty()) {
            return;
        }
        Set<TopicPartition> set = Set.copyOf(assigned);
        long nowNanos = clock.epochNanos();
        long nowMillis = TimeUnit.NANOSECONDS.toMillis(nowNanos);
        long replayMillis = TimeUnit.NANOSECONDS.toMillis(replayNanos);
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(set);
        Map<TopicPartition, Long> times = new HashMap<>();
        set.forEach(partition -> times.put(partition, Math.min(nowMillis, readUpTo(committed.get(partition))) - replayMillis));
        Map<TopicPartition, OffsetAndTimestamp> byTime = kafka.events().offsetsForTimes(times);
        Map<TopicPartition, Long> ends = kafka.events().endOffsets(set);
        for (TopicPartition topicPartition : set) {
            long replayFromMillis = times.get(topicPartition);
            OffsetAndTimestamp replayFrom = byTime.get(topicPartition);
            long replayStart = replayFrom != null ? replayFrom.offset() : ends.get(topicPartition);
            OffsetAndMetadata last = committed.get(topicPartition);
            long liveFrom = last != null ? last.offset() : replayStart;
            long start = Math.min(replayStart, liveFrom);
            kafka.events().seek(topicPartition, start);
            CorrelatedPartition partition = newPartition(topicPartition.partition(), start, liveFrom);
            observers.seed(partition, replayFromMillis, nowNanos);
            partitions.put(topicPartition.partition(), partition);
            stats.rebuilt();
            LOG.log(System.Logger.Level.INFO, () -> "partition " + topicPartition + ": replaying from offset " + start
                    + ", live from " + liveFrom);
        }
    }

    /**
     * The Kafka timestamp (ms) of the newest record the committing owner had read ({@link #READ_UP_TO}),
     * or {@code Long.MAX_VALUE} when unknown (nothing committed, or by another writer): then the replay
     * reaches back from now. A group catching up on a backlog commits positions older than now, and the
     * state its next owner needs lies {@code W + grace + skew} before that position, not before now.
     */
    static long readUpTo(OffsetAndMetadata committed) {
        if (committed == null || committed.metadata() == null || !committed.metadata().startsWith(READ_UP_TO)) {
            return Long.MAX_VALUE;
        }
        try {
            long millis = Long.parseLong(committed.metadata().substring(READ_UP_TO.length()));
            return millis < 0 ? Long.MAX_VALUE : millis;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private CorrelatedPartition newPartition(int number, long start, long liveFrom) {
        OutputGate gate = new OutputGate(pendingAlerts::add);
        JoinAssembly join = JoinAssembly.from(settings, partitionJoin, dictionary, clock, gate);
        PartitionJoin partitionJoin = new PartitionJoin(join.engine(), new EventRecordReader(dictionary),
                collectorTimeoutNanos);
        return new CorrelatedPartition(number, partitionJoin, gate,
                new PairCountDeltas(join.counters(), join.alerts().roundTrips(), dictionary), start, liveFrom);
    }

    /** Runs inside {@code poll}, on the correlator thread. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            commit(); // what the batch decided goes out with its offsets before another member owns them
            revoked.forEach(partition -> partitions.remove(partition.partition()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // Another member may own them already: nothing of theirs can be committed any more.
            lost.forEach(partition -> partitions.remove(partition.partition()));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            rebuild(assigned);
        }
    }

    /** Whether the correlator thread stopped on its own (fenced, or a fatal error); see {@link #failure()}. */
    public boolean failed() {
        return failure != null;
    }

    public Throwable failure() {
        return failure;
    }

    /** What it has done since its start. */
    CorrelatorStats stats() {
        return stats;
    }

    /**
     * What its HTTP port shows ({@link RoleEndpoint}): live until it stops on an exception or an
     * {@link Error} (the reason names it), ready once it
     * has subscribed to the events topic in its consumer group; its counters, and how far its
     * partitions' time trails the clock.
     */
    public RoleView view() {
        return RoleView.of(
                () -> failure != null ? "correlator stopped: " + failure : null,
                () -> subscribed ? null : "not yet subscribed to " + eventsTopic + " in consumer group "
                        + settings.string(ConfigKeys.SCALE_CORRELATOR_GROUP),
                stats::metrics);
    }

    /** Commits the batch in hand, leaves the group's partitions to the session timeout (static member) and stops. */
    @Override
    public void close() {
        running = false; // the loop ends within a poll timeout and commits what it holds
        try {
            thread.join(TimeUnit.SECONDS.toMillis(20));
            if (thread.isAlive()) {
                kafka.events().wakeup(); // stuck on the brokers: what is uncommitted is replayed by the next owner
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(System.Logger.Level.INFO, stats::summary);
    }
}
