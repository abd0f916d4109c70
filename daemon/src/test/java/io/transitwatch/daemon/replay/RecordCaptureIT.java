package io.transitwatch.daemon.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate --record}: every event each node emits, as {@code hubble observe -o jsonpb} lines. */
class RecordCaptureIT {
    private static final long T0 = Instant.parse("2026-02-11T22:00:00Z").getEpochSecond() * 1_000_000_000L;

    @Test
    void shouldRecordEveryEmittedFlowAndLostEventInEmissionOrder(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cluster.json.gz");
        ManualClock clock = new ManualClock(T0);
        Map<String, List<GetFlowsResponse>> emitted = new LinkedHashMap<>();
        try (CaptureWriter recorder = CaptureWriter.open(file)) {
            // lost-events: solwk02's perf ring overflows 5 s in, and it says so in a lost_events notice.
            try (Simulator sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.RELAY)
                    .scenario(Scenario.preset("lost-events")).clock(clock).trafficThread(false).emissions(recorder)
                    .build())) {
                for (int tick = 0; tick < 800; tick++) {
                    clock.advanceMillis(10);
                    sim.advanceTraffic();
                }
                sim.topology().nodeNames().forEach(node -> emitted.put(node, sim.emittedEvents(node)));
            }
        }

        List<String> lines = gunzipLines(file);
        Map<String, List<GetFlowsResponse>> recorded = new LinkedHashMap<>();
        for (String line : lines) {
            GetFlowsResponse.Builder response = GetFlowsResponse.newBuilder();
            JsonFormat.parser().merge(line, response); // strict: every key is one of ours
            recorded.computeIfAbsent(response.getNodeName(), node -> new ArrayList<>()).add(response.build());
        }
        assertEquals(emitted.keySet(), recorded.keySet());
        emitted.forEach((node, events) -> assertEquals(events, recorded.get(node), node));
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("{\"lost_events\":{\"source\":\"PERF_EVENT_RING_BUFFER\"")),
                "solwk02's lost events are recorded too");
        String first = lines.get(0);
        assertTrue(first.startsWith("{\"flow\":{\"time\":\"2026-02-11T22:00:0") && !first.contains(" \""), first);
        assertTrue(first.contains("\"trace_observation_point\":") && first.contains("\"node_name\":"), first);
    }

    private static List<String> gunzipLines(Path file) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            return in.lines().toList();
        }
    }
}
