package io.transitwatch.bench.scale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * Benchmark-thread only. The processes of a scale benchmark, each its own JVM from this jar, so that
 * each one's CPU time is its own ({@link ProcessCpu}): a single-node KRaft broker ({@code kafka.Kafka},
 * combined broker and controller, fresh storage under the output directory) and the roles
 * ({@code transitwatch collect}, {@code transitwatch correlate}) as they run in production, with
 * {@code --set} settings. One log file per process. Closing kills whatever is still running.
 */
final class ChildJvms implements AutoCloseable {
    static final String BROKER_JVM = "-Xms1g -Xmx1g -XX:+UseG1GC";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private String bootstrapServers;

    ChildJvms(Path directory) {
        this.directory = directory;
    }

    /** Formats fresh storage, starts the broker and waits until it answers; returns its bootstrap address. */
    String startBroker(String jvm) throws IOException, InterruptedException {
        int brokerPort = freePort();
        int controllerPort = freePort();
        Path home = directory.resolve("broker");
        deleteRecursively(home);
        Files.createDirectories(home);
        Path properties = home.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + home.resolve("data").toAbsolutePath(),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                ""), StandardCharsets.UTF_8);
        Process format = new ProcessBuilder(command(jvm, "kafka.tools.StorageTool", "format", "-t",
                Uuid.randomUuid().toString(), "-c", properties.toString())).redirectErrorStream(true)
                .redirectOutput(directory.resolve("broker-format.log").toFile()).start();
        if (!format.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("formatting the broker's storage failed; see broker-format.log");
        }
        start("broker", command(jvm, "kafka.Kafka", properties.toString()));
        bootstrapServers = "127.0.0.1:" + brokerPort;
        awaitBroker();
        return bootstrapServers;
    }

    /** Starts {@code transitwatch <role> --set k=v ...} as process {@code name}. */
    Process startRole(String name, String jvm, String role, List<String> settings) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(role));
        for (String setting : settings) {
            arguments.add("--set");
            arguments.add(setting);
        }
        return start(name, command(jvm, "io.transitwatch.daemon.TransitWatch", arguments.toArray(String[]::new)));
    }

    private Process start(String name, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile())).start();
        processes.put(name, process);
        return process;
    }

    Path log(String name) {
        return directory.resolve(name + ".log");
    }

    /** CPU time of process {@code name} so far, every thread, in nanoseconds. */
    long cpuNanos(String name) {
        Process process = processes.get(name);
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; see " + log(name));
        }
        return ProcessCpu.nanos(process.pid());
    }

    /** SIGTERM and wait: a collector flushes its producer, a correlator commits its batch. */
    int stop(String name) throws InterruptedException {
        Process process = processes.remove(name);
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(name + " did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM; see " + log(name));
        }
        return process.exitValue();
    }

    private void awaitBroker() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrapServers,
                "request.timeout.ms", "2000", "default.api.timeout.ms", "2000"))) {
            while (true) {
                if (!processes.get("broker").isAlive()) {
                    throw new IllegalStateException("the broker exited; see " + log("broker"));
                }
                try {
                    if (!admin.describeCluster().nodes().get().isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker did not answer within " + READY_TIMEOUT.toSeconds()
                                + " s; see " + log("broker"), notYet);
                    }
                }
                Thread.sleep(100); // polling a process we do not control; nothing is decided by the wait itself
            }
        }
    }

    private static List<String> command(String jvm, String mainClass, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvm.trim().split("\\s+")));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(Arrays.asList(arguments));
        return command;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every process still running, the roles before the broker. */
    @Override
    public void close() {
        List<String> names = new ArrayList<>(processes.keySet());
        java.util.Collections.reverse(names);
        for (String name : names) {
            Process process = processes.get(name);
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        processes.clear();
    }
}
