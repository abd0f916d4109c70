package io.transitwatch.daemon.scale;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test-thread only. The roles of the scaled mode ({@code transitwatch collect}, {@code correlate})
 * as child JVMs of the daemon, started from the test classpath as {@code RunCommandIT} starts
 * {@code run}: each is a real process with its own heap, Kafka clients and signal handling, so a
 * SIGTERM, a {@code kill -9} and a lost process are what they are in production. Output goes to one
 * log file per process, whose tail a failing assertion can show.
 */
final class ScaledProcesses implements AutoCloseable {
    private final Path directory;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Path> logs = new LinkedHashMap<>();

    ScaledProcesses(Path directory) {
        this.directory = directory;
    }

    /** Starts {@code transitwatch <role> --set k=v ...} as process {@code name}. */
    Process start(String name, String role, List<String> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "io.transitwatch.daemon.TransitWatch", role));
        for (String setting : settings) {
            command.add("--set");
            command.add(setting);
        }
        Path log = directory.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.put(name, process);
        logs.put(name, log);
        return process;
    }

    Process process(String name) {
        return processes.get(name);
    }

    /** SIGTERM and wait for the exit code (a clean shutdown flushes the producer). */
    int stop(String name) throws InterruptedException {
        Process process = processes.get(name);
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(name + " did not stop within 60 s of SIGTERM:\n" + tail(name));
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush, no transaction abort. */
    void kill(String name) throws InterruptedException {
        processes.get(name).destroyForcibly().waitFor();
    }

    /** The last lines of every process's log, for an assertion message. */
    String tails() {
        StringBuilder text = new StringBuilder();
        for (String name : logs.keySet()) {
            text.append("---- ").append(name).append(processes.get(name).isAlive() ? " (running)" : " (exited)")
                    .append('\n').append(tail(name));
        }
        return text.toString();
    }

    String tail(String name) {
        try {
            List<String> lines = Files.readAllLines(logs.get(name), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n";
        } catch (IOException e) {
            return "(no log: " + e + ")\n";
        }
    }

    String log(String name) throws IOException {
        return Files.readString(logs.get(name), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
