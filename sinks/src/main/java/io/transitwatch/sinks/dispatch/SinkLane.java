package io.transitwatch.sinks.dispatch;

import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.internal.ThrottledLogger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Multi-producer, single-consumer: any thread may {@link #offer}; only this lane's worker thread
 * runs {@link #run()} and touches the sink.
 *
 * <p>One sink's bounded queue and the loop that feeds it. The bound is an {@link AtomicInteger}
 * reserved before the lock-free enqueue, so that {@code offer} never takes a lock and never waits:
 * when the reservation fails the event is dropped and counted. The worker parks when idle and is
 * unparked by every offer (alerts are rare; an unpark is cheaper than a missed wake-up).
 */
final class SinkLane implements Runnable, SinkCounters {
    private static final System.Logger LOG = System.getLogger(SinkDispatcher.class.getName());
    /** Upper bound of an idle park; offers and close() unpark sooner. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final AlertSink sink;
    private final int capacity;
    private final int maxBatch;
    private final long publishTimeoutNanos;
    private final LongSupplier nanoTime;
    private final ThrottledLogger failures;
    private final Queue<SinkEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final CompletableFuture<Boolean> finished = new CompletableFuture<>();

    private volatile Thread worker;
    private volatile boolean closing;
    private volatile long closeDeadlineNanos;

    SinkLane(AlertSink sink, DispatchSettings settings, LongSupplier nanoTime) {
        this.sink = sink;
        this.capacity = settings.queueCapacity();
        this.maxBatch = settings.maxBatch();
        this.publishTimeoutNanos = settings.publishTimeout().toNanos();
        this.nanoTime = nanoTime;
        this.failures = ThrottledLogger.perMinute(LOG, nanoTime);
    }

    void attach(Thread thread) {
        this.worker = thread;
    }

    /** Never blocks. False if the event was dropped (queue full or closing). */
    boolean offer(SinkEvent event) {
        if (closing) {
            dropped.incrementAndGet();
            return false;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        queue.offer(event);
        Thread thread = worker;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** Asks the worker to drain, flush and close the sink before {@code deadlineNanos}. */
    void beginClose(long deadlineNanos) {
        closeDeadlineNanos = deadlineNanos;
        closing = true;
        Thread thread = worker;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** Completes with true when the worker flushed and closed the sink in time, false otherwise. */
    CompletableFuture<Boolean> finished() {
        return finished;
    }

    Thread worker() {
        return worker;
    }

    @Override
    public void run() {
        boolean flushed = false;
        try {
            List<SinkEvent> batch = new ArrayList<>(Math.min(maxBatch, 1024));
            while (!Thread.currentThread().isInterrupted()) {
                if (!takeBatch(batch)) {
                    if (closing) {
                        break;
                    }
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    continue;
                }
                publish(batch);
                if (closing && remainingNanos() <= 0) {
                    break;
                }
            }
            flushed = !Thread.currentThread().isInterrupted() && queue.isEmpty() && flushWithinDeadline();
        } finally {
            dropRemaining();
            closeSink();
            finished.complete(flushed);
        }
    }

    private boolean takeBatch(List<SinkEvent> batch) {
        batch.clear();
        SinkEvent event;
        while (batch.size() < maxBatch && (event = queue.poll()) != null) {
            size.decrementAndGet();
            batch.add(event);
        }
        return !batch.isEmpty();
    }

    private void publish(List<SinkEvent> batch) {
        int count = batch.size();
        // A fresh list per call: a sink may keep the batch after publish returns.
        List<SinkEvent> handedOver = Collections.unmodifiableList(new ArrayList<>(batch));
        try {
            CompletableFuture<Void> taken = sink.publish(handedOver);
            taken.get(waitNanos(publishTimeoutNanos), TimeUnit.NANOSECONDS);
            sent.addAndGet(count);
        } catch (TimeoutException e) {
            failed.addAndGet(count);
            failures.log(Level.WARNING, "sink " + sink.name() + " did not take a batch of " + count
                    + " events in time; counted as failed");
        } catch (ExecutionException e) {
            failed.addAndGet(count);
            failures.log(Level.WARNING, "sink " + sink.name() + " failed a batch of " + count + " events", e.getCause());
        } catch (InterruptedException e) {
            failed.addAndGet(count);
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed.addAndGet(count);
            failures.log(Level.WARNING, "sink " + sink.name() + " threw on a batch of " + count + " events", e);
        }
    }

    private boolean flushWithinDeadline() {
        try {
            sink.flush().get(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "sink " + sink.name() + " did not finish flushing before the shutdown deadline");
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "sink " + sink.name() + " failed to flush", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sink " + sink.name() + " threw on flush", e);
        }
        return false;
    }

    private void dropRemaining() {
        while (queue.poll() != null) {
            size.decrementAndGet();
            dropped.incrementAndGet();
        }
    }

    private void closeSink() {
        // An interrupt meant to free a hung publish must not cut the sink's own close short.
        boolean interrupted = Thread.interrupted();
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sink " + sink.name() + " threw on close", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** While closing, no wait may outlast the shutdown deadline. */
    private long waitNanos(long wanted) {
        return closing ? Math.max(0, Math.min(wanted, remainingNanos())) : wanted;
    }

    private long remainingNanos() {
        return closeDeadlineNanos - nanoTime.getAsLong();
    }

    /** The dispatcher was never started: count what was offered as dropped and close the sink here. */
    void closeUnstarted() {
        dropRemaining();
        closeSink();
        finished.complete(false);
    }

    /** Counts whatever an offer racing with close() left behind after the worker ended. */
    void dropLeftovers() {
        dropRemaining();
    }

    @Override
    public String sinkName() {
        return sink.name();
    }

    @Override
    public long sent() {
        return sent.get();
    }

    @Override
    public long failed() {
        return failed.get();
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    @Override
    public long queued() {
        return Math.max(0, size.get());
    }
}
