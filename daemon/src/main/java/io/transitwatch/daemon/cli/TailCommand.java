package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.ingest.HubbleIngest;
import io.transitwatch.daemon.ingest.IngestConfig;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs on the command's thread, which is also the hand-off ring's consumer.
 *
 * <p>{@code transitwatch tail}: runs the Hubble ingest and prints every event it produces (flows,
 * lost events, node up/down, gaps), one line each, on stdout; logs go to stderr. Wiring only: the
 * ingest is {@link HubbleIngest}, the formatting {@link EventPrinter}.
 */
@Command(name = "tail", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Print every per-node event the Hubble ingest produces, one line each.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by Ctrl-C or SIGTERM, or --duration passed",
            "1:could not start (e.g. unreadable TLS files; the reason is printed)",
            "2:wrong usage (unknown option, none or several of --relay, --peer, --node)"})
public final class TailCommand implements Callable<Integer> {
    private static final int POLL_LIMIT = 512;

    static final class Source {
        @Option(names = "--relay", paramLabel = "HOST:PORT", description = "Hubble Relay address.")
        String relay;

        @Option(names = "--peer", paramLabel = "HOST:PORT",
                description = "Hubble Peer service address: stream from every node it announces.")
        String peer;

        @Option(names = "--node", paramLabel = "NAME=HOST:PORT", description = "A node's Hubble server (repeatable).")
        List<String> nodes;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "CA certificate (PEM) that signs the servers.")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Client certificate (PEM) for mTLS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Client private key (PKCS#8 PEM) for mTLS.")
    Path tlsKey;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "Server name to verify for the relay, the Peer service or --node servers. Default: the "
                    + "name Cilium's certificates carry: " + IngestConfig.RELAY_SERVER_NAME + " for --relay, "
                    + IngestConfig.DIRECT_SERVER_NAME + " otherwise.")
    String tlsServerName;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    EventPrinter.Format format;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s, 5m (default: until interrupted).")
    Duration duration;

    private volatile boolean stopRequested;

    @Override
    @SuppressWarnings("try") // ingest.close() inside the try on purpose: its last NODE_DOWN events are printed after it
    public Integer call() {
        IngestConfig config = config();
        StringDictionary dictionary = new StringDictionary(1 << 16);
        HubbleIngest opened;
        try {
            opened = new HubbleIngest(config, dictionary, Clock.SYSTEM, NamedThreadFactory::daemon);
        } catch (RuntimeException e) { // unreadable TLS files: one line, not a stack trace
            System.err.println("transitwatch tail: cannot start: " + (e.getMessage() == null ? e : e.getMessage()));
            return 1;
        }
        EventPrinter printer = new EventPrinter(System.out, dictionary, format);
        CountDownLatch finished = new CountDownLatch(1);
        Thread onInterrupt = NamedThreadFactory.nonDaemon("tail-shutdown").newThread(() -> {
            stopRequested = true;
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (HubbleIngest ingest = opened) {
            ingest.start();
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            HandoffRing ring = ingest.ring();
            while (!stopRequested && System.nanoTime() < deadline) {
                if (ring.poll(printer, POLL_LIMIT) == 0) {
                    LockSupport.parkNanos(1_000_000L); // idle: nothing to print
                }
            }
            ingest.close(); // publishes the last NODE_DOWN events ...
            while (ring.poll(printer, POLL_LIMIT) > 0) {
                // ... which are printed here
            }
        } finally {
            System.out.flush();
            finished.countDown();
            if (!stopRequested) {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            }
        }
        return 0;
    }

    private IngestConfig config() {
        IngestConfig config = source.relay != null ? IngestConfig.relay(source.relay)
                : source.peer != null ? IngestConfig.peer(source.peer)
                : IngestConfig.staticNodes(source.nodes.stream().map(IngestConfig.StaticNode::parse).toList());
        if (tlsCa != null) {
            config = config.withTls(new IngestConfig.TlsFiles(tlsCa, tlsCert, tlsKey), tlsServerName);
        } else if (tlsCert != null || tlsKey != null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key need --tls-ca");
        }
        return config;
    }
}
