package io.transitwatch.daemon.handoff;

/**
 * Called on the consumer thread of a {@link HandoffRing}, right after it released permits.
 *
 * <p>How a producer that found no permits learns that it may try again: it registered through
 * {@link Credit#tryAcquire} returning 0, and is called back at most once per registration. The
 * call must be short and must not block: typically it acquires permits and asks the gRPC server
 * for that many more messages ({@code ClientCall.request} may be called from any thread). It may
 * find no permits after all (another producer was faster) and then simply registers again.
 */
@FunctionalInterface
public interface DemandListener {
    void onCreditAvailable();
}
