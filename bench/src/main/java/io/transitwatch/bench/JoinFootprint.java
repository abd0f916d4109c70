package io.transitwatch.bench;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.lifecycle.JoinAssembly;
import io.transitwatch.daemon.lifecycle.JoinSettings;
import io.transitwatch.daemon.scale.PartitionShare;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Single-threaded: a command-line program.
 *
 * <p>Heap retained by one join as {@code run} (one) or a correlator (one per partition) builds it:
 * the used heap after a full GC, before and after building each of four joins, which the program
 * keeps. Sizes the correlators' memory (docs/scaling.md). Usage:
 *
 * <pre>java -cp bench/target/benchmarks.jar io.transitwatch.bench.JoinFootprint PARTITIONS [KEY=VALUE ...]</pre>
 *
 * PARTITIONS 1 is the single process's join; more is one partition's share ({@link PartitionShare}).
 */
public final class JoinFootprint {
    private static final int JOINS = 4;

    private JoinFootprint() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: JoinFootprint PARTITIONS [KEY=VALUE ...]");
            System.exit(2);
        }
        int partitions = Integer.parseInt(args[0]);
        Settings settings = ConfigLoader.load(null, Map.of(), Arrays.asList(args).subList(1, args.length));
        var config = PartitionShare.of(JoinSettings.from(settings), partitions);
        StringDictionary dictionary = new StringDictionary(1 << 10, Clock.SYSTEM, Duration.ofMinutes(10));
        List<JoinAssembly> kept = new ArrayList<>();
        long smallest = Long.MAX_VALUE;
        for (int i = 0; i < JOINS; i++) {
            long before = usedAfterGc();
            kept.add(JoinAssembly.from(settings, config, dictionary, Clock.SYSTEM, event -> { }));
            smallest = Math.min(smallest, usedAfterGc() - before);
        }
        System.out.printf("partitions %d: pending %d, arrivals %d, LOST history %d, nodes %d, pairs %d: %.1f MiB per join"
                + " (smallest of %d)%n", partitions, config.pendingCapacity(), config.arrivalCapacity(),
                config.lostHistoryCapacity(), config.maxNodes(), config.maxPairs(), smallest / 1048576.0, kept.size());
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
