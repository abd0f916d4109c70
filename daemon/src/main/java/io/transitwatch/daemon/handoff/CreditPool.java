package io.transitwatch.daemon.handoff;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Thread-safe: producers take and return permits from their own threads, the ring's single consumer
 * returns consumed slots' permits and calls back waiting producers; counters are read from any thread.
 *
 * <p>The permits of one {@link HandoffRing}: the flow permits a stream holds for every message it
 * has requested and not yet published, the smaller control headroom NODE_UP / NODE_DOWN / GAP slots
 * draw on, and the register of producers' {@link Credit}s, so that a producer that found no flow
 * permit is called back once the consumer frees some (in rotating order, so that no stream is always
 * served first). The ring itself only claims and publishes slots; whether a producer may is decided
 * here.
 */
final class CreditPool {
    private final AtomicInteger flowPermits;
    private final AtomicInteger controlPermits;

    private final Object registryLock = new Object();
    private volatile Credit[] credits = new Credit[0];
    private final AtomicInteger waiters = new AtomicInteger();
    private int grantCursor; // consumer thread only

    private final AtomicLong creditWaits = new AtomicLong();
    private final AtomicLong controlWaits = new AtomicLong();

    CreditPool(int flowPermitCapacity, int controlHeadroom) {
        this.flowPermits = new AtomicInteger(flowPermitCapacity);
        this.controlPermits = new AtomicInteger(controlHeadroom);
    }

    Credit newCredit(DemandListener listener) {
        Credit credit = new Credit(this, listener);
        synchronized (registryLock) {
            Credit[] grown = Arrays.copyOf(credits, credits.length + 1);
            grown[grown.length - 1] = credit;
            credits = grown;
        }
        return credit;
    }

    /** Takes one control permit, waiting (counted) while the headroom is exhausted; false if interrupted. */
    boolean takeControlPermit() {
        boolean counted = false;
        while (true) {
            int available = controlPermits.get();
            if (available > 0) {
                if (controlPermits.compareAndSet(available, available - 1)) {
                    return true;
                }
                continue;
            }
            if (!counted) {
                controlWaits.incrementAndGet();
                counted = true;
            }
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(100_000L);
        }
    }

    int takeFlowPermits(int wanted) {
        while (true) {
            int available = flowPermits.get();
            int granted = Math.min(available, wanted);
            if (granted <= 0) {
                return 0;
            }
            if (flowPermits.compareAndSet(available, available - granted)) {
                return granted;
            }
        }
    }

    void returnFlowPermits(int permits) {
        flowPermits.addAndGet(permits);
    }

    /** The permits of slots the consumer has handled: back to their pools. */
    void returnConsumed(int flowSlots, int controlSlots) {
        if (flowSlots > 0) {
            flowPermits.addAndGet(flowSlots);
        }
        if (controlSlots > 0) {
            controlPermits.addAndGet(controlSlots);
        }
    }

    void waiterAdded() {
        waiters.incrementAndGet();
        creditWaits.incrementAndGet();
    }

    void unregister(Credit credit) {
        synchronized (registryLock) {
            Credit[] current = credits;
            int index = Arrays.asList(current).indexOf(credit);
            if (index < 0) {
                return;
            }
            Credit[] shrunk = new Credit[current.length - 1];
            System.arraycopy(current, 0, shrunk, 0, index);
            System.arraycopy(current, index + 1, shrunk, index, current.length - index - 1);
            credits = shrunk;
        }
        if (credit.waiting.compareAndSet(true, false)) {
            waiters.decrementAndGet();
        }
    }

    /**
     * Calls back waiting producers while flow permits are free; consumer thread only. Returns what a
     * listener threw (the first, later ones suppressed), or null: the other waiters still get their turn.
     */
    Throwable grantWaitingCredits() {
        if (waiters.get() == 0 || flowPermits.get() == 0) {
            return null;
        }
        Throwable failure = null;
        Credit[] all = credits;
        int count = all.length;
        int start = grantCursor++; // rotate, so that no stream is always served first
        for (int i = 0; i < count && flowPermits.get() > 0; i++) {
            Credit credit = all[Math.floorMod(start + i, count)];
            if (credit.waiting.compareAndSet(true, false)) {
                waiters.decrementAndGet();
                try {
                    credit.notifyDemand();
                } catch (Throwable t) {
                    failure = firstOf(failure, t);
                }
            }
        }
        return failure;
    }

    /** {@code first}, with {@code next} added as suppressed; whichever is non-null if one is null. */
    static Throwable firstOf(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        if (next != null && next != first) {
            first.addSuppressed(next);
        }
        return first;
    }

    int availableFlowPermits() {
        return flowPermits.get();
    }

    long creditWaits() {
        return creditWaits.get();
    }

    long controlWaits() {
        return controlWaits.get();
    }
}
