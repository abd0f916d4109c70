package io.transitwatch.daemon.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Not thread-safe; one per test. Debian's headless Chromium ({@code /usr/bin/chromium}) run once
 * per call with a fresh profile: dump the DOM after the page's scripts ran, or take a screenshot.
 * Virtual time lets the page's polling run for a few seconds without the test sleeping.
 */
final class HeadlessChromium {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final long PROCESS_DEADLINE_SECONDS = 90;
    private static final String VIRTUAL_TIME_BUDGET_MS = "8000";

    private final Path workDir;

    /** @param workDir an empty directory for the profile and the outputs */
    HeadlessChromium(Path workDir) {
        this.workDir = workDir;
    }

    /** Fails, saying how to install it, if the Debian package is not there. */
    static void requireInstalled() {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError("headless Chromium is missing: " + BINARY + " not found. Run .ci/install-chromium "
                    + "(installs the Debian package chromium; ./test runs it) and run the tests again.");
        }
    }

    /** The DOM of {@code url} as serialized after the page ran for the virtual time budget. */
    String dumpDom(String url) throws IOException, InterruptedException {
        Path out = workDir.resolve("dom.html");
        run(out, List.of("--dump-dom", url));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A PNG of {@code url} at {@code width} x {@code height} CSS pixels. */
    void screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        run(workDir.resolve("screenshot.log"), List.of("--hide-scrollbars", "--window-size=" + width + "," + height,
                "--screenshot=" + png.toAbsolutePath(), url));
    }

    private void run(Path stdout, List<String> arguments) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(workDir, "profile");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--virtual-time-budget=" + VIRTUAL_TIME_BUDGET_MS));
        command.addAll(arguments);
        Path stderr = workDir.resolve("chromium-stderr.log");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(PROCESS_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish within " + PROCESS_DEADLINE_SECONDS + " s: " + command);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("chromium exited with " + process.exitValue() + ": " + command + "\n"
                    + Files.readString(stderr, StandardCharsets.UTF_8));
        }
    }
}
