package io.transitwatch.daemon.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** One {@code transitwatch replay ARGS} run in-process, with its exit code, stdout and stderr. */
record ReplayCommandRun(int exit, String stdout, String stderr) {

    static ReplayCommandRun of(String... args) {
        return withStdin(new byte[0], args);
    }

    static ReplayCommandRun withStdin(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(new ReplayCommand(new ByteArrayInputStream(stdin), stdout, stderr)).setCaseInsensitiveEnumValuesAllowed(true)
                .setErr(new PrintWriter(stderr, true))
                .execute(args);
        return new ReplayCommandRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> stdoutLines() {
        return Arrays.asList(stdout.split("\n"));
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
