package io.transitwatch.daemon.config;

/**
 * Immutable. One problem found while loading the configuration.
 *
 * @param key the key the problem is about, or the file for problems with the file itself
 * @param message the value as given and the fix, e.g. {@code "5x" is not a duration; write it like 5s}
 */
public record ConfigError(String key, String message) {
    @Override
    public String toString() {
        return key + ": " + message;
    }
}
