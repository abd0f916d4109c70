package io.transitwatch.daemon.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-thread only. Files of the repository that the daemon's tests check (docs, schemas, the chart's
 * rules): Maven runs the tests in the module's directory, so the repository is found above it, as the
 * directory that holds the Maven wrapper.
 */
public final class RepositoryFiles {
    private RepositoryFiles() {
    }

    /** The repository's root: the nearest directory above the working directory with {@code mvnw}. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new AssertionError("no repository (mvnw) above " + Path.of("").toAbsolutePath());
    }

    /** {@code relative} under the repository's root, which must exist. */
    public static Path file(String relative) {
        Path file = root().resolve(relative);
        if (!Files.exists(file)) {
            throw new AssertionError(relative + " not found in the repository at " + root());
        }
        return file;
    }
}
