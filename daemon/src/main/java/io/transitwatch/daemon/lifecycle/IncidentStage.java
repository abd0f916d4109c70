package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.clock.JavaClock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.config.SinkKind;
import io.transitwatch.daemon.http.RoleEndpoint;
import io.transitwatch.daemon.http.RoleView;
import io.transitwatch.daemon.http.RoleView.RoleMetric;
import io.transitwatch.daemon.incident.IncidentConfig;
import io.transitwatch.daemon.incident.IncidentFeed;
import io.transitwatch.daemon.incident.IncidentTracker;
import io.transitwatch.daemon.scale.PairCount;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.dispatch.DispatchSettings;
import io.transitwatch.sinks.dispatch.SinkDispatcher;
import io.transitwatch.sinks.json.EventJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Thread-safe lifecycle ({@link #start} and {@link #close} from any thread, once each); the Kafka
 * consumer, the incident tracker and the feed are used only by the one {@code transitwatch-incidents}
 * thread it owns; the sinks run on their dispatcher's threads, as in {@code run}.
 *
 * <p>{@code transitwatch incidents} (DESIGN §8): the consumer group {@code scale.incident-group}
 * ({@code read_committed}, static member {@code scale.member-id}) on the alerts topic and the pair
 * counts topic, both keyed by node pair; runs the incident tracker of {@code run} on them and hands
 * alerts and incident changes to the sinks named in {@code sinks}, built as {@code run} builds them.
 * The Kafka sink here publishes incident changes only: the alerts are in the alerts topic already.
 * Records that are not alerts or pair counts are counted and skipped.
 */
public final class IncidentStage implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IncidentStage.class.getName());
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SinkDispatcher dispatcher;
    private final IncidentFeed feed;
    private final String alertsTopic;
    private final String countsTopic;
    private final Thread thread;
    private final Duration shutdownDeadline;
    private final AtomicLong alertsRead = new AtomicLong();
    private final AtomicLong countsRead = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile boolean running = true;

    private IncidentStage(Settings settings, Clock clock, PrintStream stdout, Map<String, String> environment) {
        this.clock = clock;
        this.alertsTopic = settings.string(ConfigKeys.KAFKA_TOPIC_ALERTS);
        this.countsTopic = settings.string(ConfigKeys.SCALE_TOPIC_PAIR_COUNTS);
        List<String> brokers = settings.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS);
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("kafka.bootstrap-servers is empty; transitwatch incidents reads Kafka: "
                    + "set it to the brokers, e.g. --set kafka.bootstrap-servers=kafka:9092");
        }
        String member = CorrelatorClients.member(settings, environment);
        Map<String, Object> properties = new HashMap<>(settings.passThrough(ConfigKeys.KAFKA_CONSUMER));
        properties.put("bootstrap.servers", String.join(",", brokers));
        properties.put("client.id", member + "-incidents");
        properties.put("group.id", settings.string(ConfigKeys.SCALE_INCIDENT_GROUP));
        properties.put("group.instance.id", member);
        properties.put("isolation.level", "read_committed");
        properties.putIfAbsent("auto.offset.reset", "latest");
        List<AlertSink> sinks = new ArrayList<>();
        for (AlertSink sink : SinkAssembly.sinks(settings, stdout, clock)) {
            sinks.add(sink.name().equals(SinkKind.KAFKA.name().toLowerCase(java.util.Locale.ROOT))
                    ? new IncidentChangesOnly(sink) : sink);
        }
        this.dispatcher = new SinkDispatcher(sinks, NamedThreadFactory.daemon("sink"),
                DispatchSettings.defaults().withQueueCapacity(settings.integer(ConfigKeys.SINKS_QUEUE_CAPACITY)),
                System::nanoTime);
        int maxPairs = settings.integer(ConfigKeys.JOIN_MAX_PAIRS);
        IncidentTracker tracker = new IncidentTracker(new IncidentConfig(
                settings.duration(ConfigKeys.INCIDENTS_RESOLVE_AFTER),
                settings.duration(ConfigKeys.INCIDENTS_UPDATE_INTERVAL),
                settings.integer(ConfigKeys.INCIDENTS_TOP_WORKLOADS)), maxPairs,
                new EventIds(JavaClock.of(clock), new SecureRandom()), dispatcher::offer);
        this.feed = new IncidentFeed(tracker, maxPairs, dispatcher::offer);
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.shutdownDeadline = settings.duration(ConfigKeys.SINKS_SHUTDOWN_DEADLINE);
        this.thread = NamedThreadFactory.nonDaemon("incidents").newThread(this::run);
    }

    /** Starts the sinks, then the consumer thread. */
    public static IncidentStage start(Settings settings, Clock clock, PrintStream stdout) {
        IncidentStage stage = new IncidentStage(settings, clock, stdout, System.getenv());
        stage.dispatcher.start();
        stage.thread.start();
        return stage;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(alertsTopic, countsTopic));
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    read(record);
                }
                feed.advance(clock.epochNanos());
            }
        } catch (WakeupException e) {
            LOG.log(System.Logger.Level.DEBUG, "incident stage woken up to stop");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "incident stage stopped", e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            malformed.incrementAndGet();
            return;
        }
        try {
            if (record.topic().equals(alertsTopic)) {
                SinkEvent event = EventJson.decode(new String(record.value(), StandardCharsets.UTF_8));
                if (event instanceof Alert alert) {
                    alertsRead.incrementAndGet();
                    feed.onAlert(alert, clock.epochNanos());
                } else {
                    malformed.incrementAndGet();
                }
                return;
            }
            PairCount count = PairCount.fromJson(record.value());
            countsRead.incrementAndGet();
            if (PairCount.ROUND_TRIP.equals(count.kind())) {
                feed.onRoundTripCounts(count.source(), count.destination(), count.family(), count.answered(),
                        count.unverified());
            } else {
                feed.onPairCounts(count.source(), count.destination(), count.family(), count.matched(),
                        count.unverified());
            }
        } catch (IOException | RuntimeException e) {
            malformed.incrementAndGet(); // bad input is counted and skipped, never a crash
        }
    }

    public long alertsRead() {
        return alertsRead.get();
    }

    public long countsRead() {
        return countsRead.get();
    }

    /** Records that were neither an alert nor a pair count, skipped. */
    public long malformed() {
        return malformed.get();
    }

    /** What its HTTP port shows ({@link RoleEndpoint}): live and ready while its consumer thread runs; its counters. */
    public RoleView view() {
        Supplier<String> consumerEnded = () -> thread.isAlive() ? null : "the incident stage's consumer thread has ended";
        return RoleView.of(consumerEnded, consumerEnded, () -> List.of(
                RoleMetric.counter("transitwatch_incident_stage_alerts_read",
                        "Alerts read from kafka.topic.alerts", alertsRead.get()),
                RoleMetric.counter("transitwatch_incident_stage_pair_counts_read",
                        "Pair counts read from scale.topic.pair-counts", countsRead.get()),
                RoleMetric.counter("transitwatch_incident_stage_malformed",
                        "Records that were neither an alert nor a pair count, skipped", malformed.get())));
    }

    public IncidentFeed feed() {
        return feed;
    }

    /** Stops the consumer, then drains and closes the sinks. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                consumer.wakeup();
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!dispatcher.close(shutdownDeadline)) {
            LOG.log(System.Logger.Level.WARNING, "sinks did not flush everything within " + shutdownDeadline);
        }
    }

    /**
     * Confined to its dispatcher worker, like the sink it wraps: passes incident changes only.
     */
    private static final class IncidentChangesOnly implements AlertSink {
        private final AlertSink sink;

        IncidentChangesOnly(AlertSink sink) {
            this.sink = sink;
        }

        @Override
        public String name() {
            return sink.name();
        }

        @Override
        public CompletableFuture<Void> publish(List<SinkEvent> batch) {
            List<SinkEvent> changes = batch.stream().filter(event -> !(event instanceof Alert)).toList();
            return changes.isEmpty() ? CompletableFuture.completedFuture(null) : sink.publish(changes);
        }

        @Override
        public CompletableFuture<Void> flush() {
            return sink.flush();
        }

        @Override
        public void close() {
            sink.close();
        }
    }
}
