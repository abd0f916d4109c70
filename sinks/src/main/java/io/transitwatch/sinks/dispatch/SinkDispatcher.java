package io.transitwatch.sinks.dispatch;

import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.SinkEvent;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Thread-safe: {@link #offer} may be called from any thread (normally the join thread) and never
 * blocks; {@link #start} and {@link #close} belong to the lifecycle code.
 *
 * <p>Fans alerts and incident changes out to the sinks (DESIGN §6): one bounded queue and one
 * worker thread per sink, so a slow or failing sink fills only its own queue. What a full queue
 * refuses is dropped and counted per sink ({@link #counters()}); the caller is never delayed.
 *
 * <pre>
 *   join ──offer──┬─► [queue: stdout] ─► worker "…-stdout" ─► StdoutSink.publish(batch)
 *                 ├─► [queue: kafka ] ─► worker "…-kafka"  ─► KafkaSink.publish(batch)
 *                 └─► [queue: slack ] ─► worker "…-slack"  ─► SlackSink.publish(batch)
 * </pre>
 *
 * Each worker drains up to {@code maxBatch} events, calls {@code publish} and waits (at most
 * {@code publishTimeout}) for the sink to take the batch before draining again, so at most one
 * batch per sink is in the sink's hands at a time. On {@link #close}, every worker drains its
 * queue, flushes and closes its sink, all within one deadline.
 */
public final class SinkDispatcher {
    private static final System.Logger LOG = System.getLogger(SinkDispatcher.class.getName());

    private final List<SinkLane> lanes;
    private final ThreadFactory threadFactory;
    private final LongSupplier nanoTime;
    private boolean started;
    private boolean closed;

    /**
     * @param sinks         the sinks, each named uniquely; the dispatcher owns them from now on and closes them
     * @param threadFactory makes one worker per sink; the dispatcher appends {@code -<sink name>} to
     *                      each thread's name so a thread dump shows which sink a thread serves
     * @param settings      queue and batch sizes
     * @param nanoTime      monotonic time for the shutdown deadline and log throttling, e.g. {@code System::nanoTime}
     */
    public SinkDispatcher(List<? extends AlertSink> sinks, ThreadFactory threadFactory, DispatchSettings settings,
                          LongSupplier nanoTime) {
        Objects.requireNonNull(settings, "settings");
        this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        List<SinkLane> built = new ArrayList<>(sinks.size());
        for (AlertSink sink : sinks) {
            for (SinkLane lane : built) {
                if (lane.sinkName().equals(sink.name())) {
                    throw new IllegalArgumentException("two sinks are named \"" + sink.name() + "\"");
                }
            }
            built.add(new SinkLane(sink, settings, nanoTime));
        }
        this.lanes = List.copyOf(built);
    }

    /** Starts one worker per sink. Call once, before the first offer that should be delivered. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        for (SinkLane lane : lanes) {
            Thread thread = threadFactory.newThread(lane);
            thread.setName(thread.getName() + "-" + lane.sinkName());
            lane.attach(thread);
            thread.start();
        }
    }

    /**
     * Hands {@code event} to every sink's queue without blocking. Returns false if at least one
     * sink dropped it (queue full, or the dispatcher is closing); the drop is counted per sink.
     */
    public boolean offer(SinkEvent event) {
        Objects.requireNonNull(event, "event");
        boolean acceptedByAll = true;
        for (int i = 0; i < lanes.size(); i++) {
            acceptedByAll &= lanes.get(i).offer(event);
        }
        return acceptedByAll;
    }

    /** Live counters, one per sink, in the order the sinks were given. */
    public List<SinkCounters> counters() {
        return List.copyOf(lanes);
    }

    /** The live counters of the sink with this name. */
    public SinkCounters counters(String sinkName) {
        for (SinkLane lane : lanes) {
            if (lane.sinkName().equals(sinkName)) {
                return lane;
            }
        }
        throw new IllegalArgumentException("no sink named \"" + sinkName + "\"");
    }

    /**
     * Stops taking events, then lets every worker publish what is queued, flush and close its
     * sink, all before {@code deadline} has passed. Workers still busy at the deadline are
     * interrupted; whatever they had not published is counted as dropped when they end.
     *
     * @return true if every sink was drained, flushed and closed in time
     */
    public synchronized boolean close(Duration deadline) {
        if (closed) {
            return true;
        }
        closed = true;
        long deadlineNanos = nanoTime.getAsLong() + deadline.toNanos();
        for (SinkLane lane : lanes) {
            lane.beginClose(deadlineNanos);
        }
        if (!started) {
            for (SinkLane lane : lanes) {
                lane.closeUnstarted();
            }
            return false;
        }
        boolean allInTime = true;
        for (SinkLane lane : lanes) {
            allInTime &= awaitLane(lane, deadlineNanos);
        }
        return allInTime;
    }

    private boolean awaitLane(SinkLane lane, long deadlineNanos) {
        try {
            long remaining = Math.max(0, deadlineNanos - nanoTime.getAsLong());
            boolean flushed = lane.finished().get(remaining, TimeUnit.NANOSECONDS);
            lane.worker().join(); // finished() completes in the worker's last statement
            lane.dropLeftovers();
            return flushed;
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "sink " + lane.sinkName() + " did not drain and flush before the shutdown deadline;"
                    + " interrupting its worker, " + lane.queued() + " events still queued");
            lane.worker().interrupt();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lane.worker().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a lane's completion future never fails", e);
        }
    }
}
