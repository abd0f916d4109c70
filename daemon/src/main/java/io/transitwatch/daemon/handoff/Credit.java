package io.transitwatch.daemon.handoff;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Thread-safe: a producer acquires and releases from its own threads, the consumer thread
 * clears the waiting flag and calls the listener.
 *
 * <p>One producer's (one gRPC stream's) access to the flow permits of a {@link HandoffRing}. A
 * producer holds one permit for every message it has asked the server for and not yet published;
 * publishing a FLOW or LOST_EVENTS slot hands that permit to the slot, and the consumer returns it
 * to the pool when it has handled the slot. A producer that receives a message it does not publish
 * (a duplicate, a malformed one) or that stops with requests outstanding {@link #release}s the
 * permits it still holds.
 */
public final class Credit implements AutoCloseable {
    private final CreditPool pool;
    private final DemandListener listener;
    final AtomicBoolean waiting = new AtomicBoolean();

    Credit(CreditPool pool, DemandListener listener) {
        this.pool = pool;
        this.listener = listener;
    }

    /**
     * Takes up to {@code wanted} permits. When none are free, registers this credit so that its
     * {@link DemandListener} is called once permits are released.
     *
     * @return the number of permits now held by the caller, 0 to {@code wanted}
     */
    public int tryAcquire(int wanted) {
        int granted = pool.takeFlowPermits(wanted);
        if (granted > 0 || wanted <= 0) {
            return granted;
        }
        if (waiting.compareAndSet(false, true)) {
            pool.waiterAdded();
        }
        // Re-check after registering: the consumer may have released everything in between and
        // seen no waiter. A listener call that then finds nothing to do is harmless.
        return pool.takeFlowPermits(wanted);
    }

    /** Gives back permits this producer holds but will not publish with. */
    public void release(int permits) {
        if (permits > 0) {
            pool.returnFlowPermits(permits);
        }
    }

    void notifyDemand() {
        listener.onCreditAvailable();
    }

    /** Unregisters this credit; the caller has released what it held. */
    @Override
    public void close() {
        pool.unregister(this);
    }
}
