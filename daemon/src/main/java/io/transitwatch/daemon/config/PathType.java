package io.transitwatch.daemon.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A file path. Whether the file exists is checked by {@link CrossKeyRules}, and only when the daemon
 * will read it: a chart may mount and name the TLS files whether or not TLS is turned on.
 */
final class PathType implements ValueType<Path> {
    static final PathType INSTANCE = new PathType();

    private PathType() {}

    @Override
    public String describe() {
        return "file path";
    }

    @Override
    public Path parse(Object given) throws InvalidValue {
        String text = InvalidValue.scalarText(given, "a file path", "write a single file path");
        if (text.isEmpty()) {
            throw InvalidValue.of(given, "is empty; write a file path or leave the key out");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw InvalidValue.of(given, "is not a file path: " + e.getReason());
        }
    }

    @Override
    public Object toPlain(Path value) {
        return value.toString();
    }
}
