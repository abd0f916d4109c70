package io.transitwatch.daemon.config;

import java.util.List;

/** Thrown by {@link ConfigLoader} with every problem it found, never just the first. */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    InvalidConfigException(List<ConfigError> errors) {
        super(describe(errors));
        this.errors = List.copyOf(errors);
    }

    /** In the order an operator would fix them: file problems first, then by declaration order. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String describe(List<ConfigError> errors) {
        StringBuilder text = new StringBuilder();
        text.append(errors.size() == 1 ? "1 configuration error" : errors.size() + " configuration errors");
        for (ConfigError error : errors) {
            text.append(System.lineSeparator()).append("  ").append(error);
        }
        return text.toString();
    }
}
