package io.transitwatch.sinks.kafka;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.internal.ThrottledLogger;
import io.transitwatch.sinks.json.EventJson;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Confined to its dispatcher worker (see {@link AlertSink}), except the delivery callbacks, which
 * run on the producer's network thread and only update atomics and complete futures.
 *
 * <p>Publishes every alert to the alerts topic and every incident change to the incidents topic,
 * as CloudEvents in binary mode ({@code ce_*} headers, JSON value), keyed
 * {@code "<source node>|<destination node>"} so one node pair's events stay ordered in one partition.
 *
 * <p><b>Buffering and loss.</b> {@code publish} hands records to the producer and returns; the
 * producer holds them (up to {@code buffer.memory}) and retries until {@code delivery.timeout.ms}.
 * So a broker outage loses nothing that fits in {@code buffer.memory} plus the dispatcher's
 * queue and ends within the delivery timeout; the idempotent producer keeps retries from
 * duplicating. Past those bounds, every lost event is counted exactly once: {@code send()} that
 * could not get buffer space within {@code max.block.ms}, and records the producer gave up on,
 * both end up in {@link #failed()}; what the dispatcher queue could not hold is in the
 * dispatcher's dropped counter.
 *
 * <p>The producer's network thread ({@code kafka-producer-network-thread | transitwatch-<cluster>})
 * is made by the Kafka client, not by our thread factory; this sink owns it through the producer
 * and ends it in {@link #close()}.
 */
public final class KafkaSink implements AlertSink {
    private static final System.Logger LOG = System.getLogger(KafkaSink.class.getName());

    private final KafkaSinkConfig config;
    private final Producer<byte[], byte[]> producer;
    private final ThrottledLogger failures;
    private final Queue<CompletableFuture<Void>> unfinishedBatches = new ConcurrentLinkedQueue<>();
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param config   topics, CloudEvents source and close timeout (its producer properties are
     *                 not used here: {@code producer} is already made)
     * @param producer the producer to send with; this sink closes it
     * @param nanoTime monotonic time for log throttling, e.g. {@code System::nanoTime}
     */
    public KafkaSink(KafkaSinkConfig config, Producer<byte[], byte[]> producer, LongSupplier nanoTime) {
        this.config = Objects.requireNonNull(config, "config");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.failures = ThrottledLogger.perMinute(LOG, nanoTime);
    }

    /** Makes the {@link KafkaProducer} from {@link KafkaSinkConfig#producerProperties()}. */
    public static KafkaSink create(KafkaSinkConfig config, LongSupplier nanoTime) {
        return new KafkaSink(config, new KafkaProducer<>(config.producerProperties()), nanoTime);
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public CompletableFuture<Void> publish(List<SinkEvent> batch) {
        CompletableFuture<Void> batchDone = new CompletableFuture<>();
        AtomicInteger outstanding = new AtomicInteger(batch.size());
        for (SinkEvent event : batch) {
            Delivery delivery = new Delivery(event, outstanding, batchDone);
            attempted.incrementAndGet();
            try {
                // Blocks at most max.block.ms (metadata, buffer space): only this worker waits.
                producer.send(toRecord(event), delivery);
            } catch (RuntimeException e) {
                // Thrown instead of reported to the callback: closed producer, serialization, interrupt.
                delivery.onCompletion(null, e);
            }
        }
        if (batch.isEmpty()) {
            batchDone.complete(null);
        }
        forgetFinishedBatches();
        unfinishedBatches.add(batchDone);
        // The batch is the producer's now: its outcome is counted here, not by the dispatcher.
        return CompletableFuture.completedFuture(null);
    }

    private ProducerRecord<byte[], byte[]> toRecord(SinkEvent event) {
        return record(config, event);
    }

    /**
     * The record this sink sends for {@code event}: alerts to the alerts topic, incident changes to
     * the incidents topic, CloudEvents binary mode, key {@code "<source node>|<destination node>"}.
     * {@code transitwatch correlate} sends its alerts with it, inside its own transactions.
     */
    public static ProducerRecord<byte[], byte[]> record(KafkaSinkConfig config, SinkEvent event) {
        String topic = event instanceof Alert ? config.alertsTopic() : config.incidentsTopic();
        return new ProducerRecord<>(topic, null, event.time().toEpochMilli(),
                event.key().getBytes(StandardCharsets.UTF_8),
                EventJson.encode(event).getBytes(StandardCharsets.UTF_8),
                CloudEvents.headers(event, config.ceSource()));
    }

    /**
     * Completes when every record handed over so far is delivered or has failed. Does not call the
     * blocking {@code Producer.flush()}: with {@code linger.ms} small the records are on their way
     * already, and waiting on this future lets the dispatcher keep its shutdown deadline.
     */
    @Override
    public CompletableFuture<Void> flush() {
        forgetFinishedBatches();
        return CompletableFuture.allOf(unfinishedBatches.toArray(CompletableFuture[]::new));
    }

    /** Closes the producer, giving it {@link KafkaSinkConfig#closeTimeout()}; what it still holds then fails, counted. */
    @Override
    public void close() {
        producer.close(config.closeTimeout());
    }

    /** Records this sink tried to send; each ends up {@link #delivered()}, {@link #failed()} or {@link #inFlight()}. */
    public long attempted() {
        return attempted.get();
    }

    /** Records the brokers acknowledged ({@code acks=all}). */
    public long delivered() {
        return delivered.get();
    }

    /** Records lost: refused by {@code send()}, given up on by the producer, or rejected by a broker. */
    public long failed() {
        return failed.get();
    }

    /** Records in the producer's hands whose outcome is not known yet. */
    public long inFlight() {
        // Read the outcomes first: a record counted in them is always counted in attempted already.
        long done = delivered.get() + failed.get();
        return attempted.get() - done;
    }

    private void forgetFinishedBatches() {
        CompletableFuture<Void> head;
        while ((head = unfinishedBatches.peek()) != null && head.isDone()) {
            unfinishedBatches.remove(head);
        }
    }

    /**
     * Runs on the producer's network thread (or on the worker when {@code send} throws), exactly
     * once per record: the flag makes a second report impossible even if both happen.
     */
    private final class Delivery implements Callback {
        private final SinkEvent event;
        private final AtomicInteger outstanding;
        private final CompletableFuture<Void> batchDone;
        private final AtomicBoolean reported = new AtomicBoolean();

        Delivery(SinkEvent event, AtomicInteger outstanding, CompletableFuture<Void> batchDone) {
            this.event = event;
            this.outstanding = outstanding;
            this.batchDone = batchDone;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            if (!reported.compareAndSet(false, true)) {
                return;
            }
            if (error == null) {
                delivered.incrementAndGet();
            } else {
                failed.incrementAndGet();
                // A retriable error's stack trace is the producer's internals; its message says it all.
                if (error instanceof RetriableException) {
                    failures.log(Level.WARNING, describe(error) + ": " + error);
                } else {
                    failures.log(Level.WARNING, describe(error), error);
                }
            }
            if (outstanding.decrementAndGet() == 0) {
                batchDone.complete(null);
            }
        }

        private String describe(Exception error) {
            String what = "Kafka lost " + event.schema() + " " + event.id() + " (key " + event.key() + ")";
            return error instanceof RetriableException
                    ? what + ": brokers unreachable until the producer gave up (delivery.timeout.ms or buffer full)"
                    : what + ": not retriable";
        }
    }
}
