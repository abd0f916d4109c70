package io.transitwatch.sinks.slack;

import io.transitwatch.sinks.SinkEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Thread-safe: where the dispatcher worker (adding events, asking for a flush, closing) meets the
 * notifier thread (taking due groups, sleeping). One lock guards everything here, and it is
 * never held during I/O.
 */
final class NotificationInbox {
    /** What the notifier should do next, decided under the lock in one go. */
    record Work(List<GroupSnapshot> due, boolean flushDone, Instant nextGroupDue, boolean closing) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final NotificationGroups groups;
    private final List<CompletableFuture<Void>> flushWaiters = new ArrayList<>();
    private boolean wakeRequested;
    private boolean closing;

    NotificationInbox(SlackSinkConfig config) {
        this.groups = new NotificationGroups(config);
    }

    /** False if closing: the events were not taken. */
    boolean add(List<SinkEvent> events, Instant now) {
        lock.lock();
        try {
            if (closing) {
                return false;
            }
            for (SinkEvent event : events) {
                groups.add(event, now);
            }
            wakeUp();
            return true;
        } finally {
            lock.unlock();
        }
    }

    CompletableFuture<Void> requestFlush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (closing) {
                done.complete(null);
            } else {
                flushWaiters.add(done);
                wakeUp();
            }
        } finally {
            lock.unlock();
        }
        return done;
    }

    void close() {
        lock.lock();
        try {
            closing = true;
            wakeUp();
        } finally {
            lock.unlock();
        }
    }

    /**
     * With {@code takeGroups} (no message in flight), takes what is due at {@code now}: all groups
     * with news while a flush is requested. {@code flushDone} is true when a flush was requested and
     * nothing is left to send.
     */
    Work next(Instant now, boolean takeGroups) {
        lock.lock();
        try {
            wakeRequested = false;
            if (closing) {
                return new Work(List.of(), false, null, true);
            }
            List<GroupSnapshot> due = List.of();
            boolean flushDone = false;
            if (takeGroups) {
                boolean flushing = !flushWaiters.isEmpty();
                due = groups.takeDue(now, flushing);
                flushDone = flushing && due.isEmpty();
            }
            return new Work(due, flushDone, groups.nextDueAt(), false);
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps until {@code wakeAt} (at most {@code maxWait}) unless woken by new work or close. */
    void sleepUntil(Instant wakeAt, Instant now, Duration maxWait) throws InterruptedException {
        long nanos = maxWait.toNanos();
        if (wakeAt != null) {
            nanos = Math.min(nanos, Math.max(0, Duration.between(now, wakeAt).toNanos()));
        }
        lock.lock();
        try {
            if (!wakeRequested && !closing && nanos > 0) {
                wake.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    void markUndelivered(List<GroupKey> keys) {
        lock.lock();
        try {
            groups.markUndelivered(keys);
        } finally {
            lock.unlock();
        }
    }

    void completeFlushes() {
        List<CompletableFuture<Void>> done;
        lock.lock();
        try {
            done = List.copyOf(flushWaiters);
            flushWaiters.clear();
        } finally {
            lock.unlock();
        }
        done.forEach(future -> future.complete(null));
    }

    int openGroups() {
        lock.lock();
        try {
            return groups.size();
        } finally {
            lock.unlock();
        }
    }

    long ignoredForCapacity() {
        lock.lock();
        try {
            return groups.ignoredForCapacity();
        } finally {
            lock.unlock();
        }
    }

    private void wakeUp() {
        wakeRequested = true;
        wake.signalAll();
    }
}
