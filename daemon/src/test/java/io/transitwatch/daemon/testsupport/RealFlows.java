package io.transitwatch.daemon.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real Hubble captures in the repository's {@code testdata/real-flows} (see its README): found
 * like the proto module's {@code RealFlowsParsingTest} does, walking up from the working directory
 * to the folder that holds {@code testdata/real-flows}; {@code -Dtransitwatch.realFlowsDir=DIR}
 * overrides the search.
 */
public final class RealFlows {
    public static final String TEN = "hubble-otel_basic-sample-10-flows.json";
    public static final String TCP = "hubble-otel_basic-sample-400-tcp-flows.json";
    public static final String UDP = "hubble-otel_basic-sample-400-udp-flows.json";

    private RealFlows() {}

    public static Path dir() {
        String override = System.getProperty("transitwatch.realFlowsDir");
        if (override != null && !override.isBlank()) {
            Path dir = Path.of(override);
            return Files.isDirectory(dir) ? dir : fail("transitwatch.realFlowsDir=" + override + " is not a directory");
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata").resolve("real-flows");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return fail("testdata/real-flows not found walking up from " + start
                + " (it is in the repository root; set -Dtransitwatch.realFlowsDir to override)");
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }
}
