package io.transitwatch.daemon.handoff;

/**
 * Called on the publishing thread, while that thread alone owns the claimed slot.
 *
 * <p>Fills a claimed {@link NodeEvent} slot from a source, like the Disruptor's
 * {@code EventTranslatorOneArg}. Implementations should be non-capturing constants (a static
 * method reference or a singleton), so that publishing allocates nothing. The slot arrives
 * cleared.
 */
@FunctionalInterface
public interface SlotWriter<T> {
    void write(NodeEvent slot, T source);
}
