package io.transitwatch.daemon.decode;

/**
 * Immutable, shared: one pre-built instance, thrown from any decoding thread.
 *
 * <p>Signals bytes that are not a valid protobuf encoding (truncated varint, a length past the end
 * of the buffer, an illegal wire type) or a field whose text cannot be an IP address. It never
 * leaves the {@code decode} package: {@link FlowDecoder#decode} turns it into
 * {@link FlowDecoder#MALFORMED}. Stackless and pre-allocated, so a stream of garbage costs no
 * allocation.
 */
final class MalformedMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final MalformedMessageException INSTANCE = new MalformedMessageException();

    private MalformedMessageException() {
        super("malformed protobuf message", null, false, false);
    }
}
