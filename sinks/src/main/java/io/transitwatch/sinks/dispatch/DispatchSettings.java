package io.transitwatch.sinks.dispatch;

import java.time.Duration;

/**
 * Immutable: how each sink's lane in the {@link SinkDispatcher} is sized.
 *
 * @param queueCapacity  events waiting per sink before offers are dropped (and counted); default 10 000
 * @param maxBatch       events handed to one {@code publish} call at most; default 500
 * @param publishTimeout how long a worker waits for a sink to take a batch before counting it as
 *                       failed and moving on; default 30 s
 */
public record DispatchSettings(int queueCapacity, int maxBatch, Duration publishTimeout) {
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    public static final int DEFAULT_MAX_BATCH = 500;
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(30);

    public DispatchSettings {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be >= 1, was " + queueCapacity);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
        }
        if (publishTimeout.isNegative() || publishTimeout.isZero()) {
            throw new IllegalArgumentException("publishTimeout must be positive, was " + publishTimeout);
        }
    }

    public static DispatchSettings defaults() {
        return new DispatchSettings(DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_BATCH, DEFAULT_PUBLISH_TIMEOUT);
    }

    public DispatchSettings withQueueCapacity(int capacity) {
        return new DispatchSettings(capacity, maxBatch, publishTimeout);
    }

    public DispatchSettings withMaxBatch(int batch) {
        return new DispatchSettings(queueCapacity, batch, publishTimeout);
    }

    public DispatchSettings withPublishTimeout(Duration timeout) {
        return new DispatchSettings(queueCapacity, maxBatch, timeout);
    }
}
