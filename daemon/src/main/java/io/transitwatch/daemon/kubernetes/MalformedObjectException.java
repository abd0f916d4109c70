package io.transitwatch.daemon.kubernetes;

/** Immutable. An API object that lacks or garbles a field discovery needs: counted and skipped, never fatal. */
final class MalformedObjectException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedObjectException(String message) {
        super(message, null, false, false);
    }
}
