package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.HttpTestSupport.DETECTION_DEADLINE;
import static io.transitwatch.daemon.http.HttpTestSupport.await;
import static io.transitwatch.daemon.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP endpoint of a daemon running against the simulator's seed scenario (IPv6 solwk03 ->
 * solwk02 blackholed): {@code /metrics} shows the loss on exactly that pair and family, in strictly
 * valid Prometheus text; the probes and the {@code /api} JSON behind the web page.
 */
class HttpDemoIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> BLACKHOLED =
            Map.of("source_node", "solwk03", "destination_node", "solwk02", "family", "IPv6");
    private static final Set<String> NODES = Set.of("solcp01", "solcp02", "solcp03", "solwk01", "solwk02", "solwk03");

    private static Demo demo;
    private static int port;
    /** The first scrape that showed the blackhole. */
    private static PrometheusText detected;

    @BeforeAll
    static void startDemoAndWaitForTheBlackhole() throws InterruptedException {
        demo = HttpTestSupport.startSeedDemo();
        port = demo.daemon().httpPort();
        detected = await("transitwatch_lost_total{solwk03 -> solwk02, IPv6} > 0", DETECTION_DEADLINE, () -> {
            PrometheusText scrape = PrometheusText.parse(get(port, "/metrics").body());
            Double lost = scrape.value("transitwatch_lost_total", BLACKHOLED);
            return lost != null && lost > 0 ? scrape : null;
        });
    }

    @AfterAll
    static void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void metricsShowLossOnTheBlackholedPairAndFamilyOnly() {
        List<PrometheusText.Sample> lost = detected.samples("transitwatch_lost_total");
        List<String> otherLoss = new ArrayList<>();
        for (PrometheusText.Sample sample : lost) {
            if (!sample.labels().equals(BLACKHOLED) && sample.value() != 0) {
                otherLoss.add(sample.labels() + "=" + sample.value());
            }
        }
        assertEquals(List.of(), otherLoss, () -> "loss reported on pairs the scenario does not blackhole\n"
                + HttpTestSupport.unexpectedLoss(demo));
        assertTrue(lost.size() >= 30, "every cross-node pair and family has a lost counter, got " + lost.size());
        Map<String, String> sameNodesIpv4 = Map.of("source_node", "solwk03", "destination_node", "solwk02", "family", "IPv4");
        assertNotNull(detected.value("transitwatch_departures_total", sameNodesIpv4), "IPv4 solwk03 -> solwk02 is counted");
        assertEquals(0.0, detected.value("transitwatch_matched_total", BLACKHOLED), "nothing arrives over the blackhole");
    }

    @Test
    void metricsAreStrictPrometheusTextWithEveryDocumentedFamily() {
        HttpResponse<String> response = get(port, "/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        PrometheusText scrape = PrometheusText.parse(response.body());
        Map<String, String> expected = Map.ofEntries(
                Map.entry("transitwatch_departures_total", "counter"), Map.entry("transitwatch_matched_total", "counter"),
                Map.entry("transitwatch_lost_total", "counter"), Map.entry("transitwatch_dropped_total", "counter"),
                Map.entry("transitwatch_late_total", "counter"), Map.entry("transitwatch_unverified_total", "counter"),
                Map.entry("transitwatch_transit_delay_seconds", "histogram"),
                Map.entry("transitwatch_observer_connected", "gauge"),
                Map.entry("transitwatch_observer_reconnects_total", "counter"),
                Map.entry("transitwatch_observer_gaps_total", "counter"),
                Map.entry("transitwatch_observer_lost_events_total", "counter"),
                Map.entry("transitwatch_observer_clock_offset_seconds", "gauge"),
                Map.entry("transitwatch_observer_lateness_seconds", "gauge"),
                Map.entry("transitwatch_observer_extra_wait_seconds", "gauge"),
                Map.entry("transitwatch_observer_malformed_total", "counter"),
                Map.entry("transitwatch_observer_duplicates_total", "counter"),
                Map.entry("transitwatch_observer_field_mask_fallback", "gauge"),
                Map.entry("transitwatch_join_events_total", "counter"),
                Map.entry("transitwatch_join_ignored_total", "counter"),
                Map.entry("transitwatch_join_pending", "gauge"), Map.entry("transitwatch_join_pending_capacity", "gauge"),
                Map.entry("transitwatch_join_pending_evicted_total", "counter"),
                Map.entry("transitwatch_join_remembered_arrivals", "gauge"),
                Map.entry("transitwatch_handoff_ring_fill", "gauge"), Map.entry("transitwatch_handoff_ring_capacity", "gauge"),
                Map.entry("transitwatch_handoff_credit_waits_total", "counter"),
                Map.entry("transitwatch_overloaded", "gauge"),
                Map.entry("transitwatch_overload_lost_events_total", "counter"),
                Map.entry("transitwatch_dictionary_names", "gauge"), Map.entry("transitwatch_dictionary_capacity", "gauge"),
                Map.entry("transitwatch_dictionary_evictions_total", "counter"),
                Map.entry("transitwatch_dictionary_overflows_total", "counter"),
                Map.entry("transitwatch_join_errors_total", "counter"),
                Map.entry("transitwatch_join_cycle_age_seconds", "gauge"),
                Map.entry("transitwatch_sink_sent_total", "counter"), Map.entry("transitwatch_sink_failed_total", "counter"),
                Map.entry("transitwatch_sink_dropped_total", "counter"), Map.entry("transitwatch_sink_queued", "gauge"));
        expected.forEach((name, type) -> assertEquals(type, scrape.types().get(name), name));
        assertTrue(scrape.types().keySet().stream().allMatch(name -> name.startsWith("transitwatch_")), "only our metrics");

        assertTrue(scrape.value("transitwatch_transit_delay_seconds_count", Map.of("family", "IPv4")) > 0,
                "delays of matched IPv4");
        assertTrue(scrape.value("transitwatch_node_matched_total", Map.of("source_node", "solwk03")) > 0,
                "per-node verdicts");
        Set<String> reasons = new TreeSet<>();
        scrape.samples("transitwatch_unverified_total").forEach(s -> reasons.add(s.labels().get("reason")));
        assertEquals(Set.of("behind", "capacity", "gap", "lost_events", "no_observer", "observer_down",
                "request_unseen"), reasons);
        Set<String> nodes = new TreeSet<>();
        scrape.samples("transitwatch_observer_clock_offset_seconds").forEach(s -> nodes.add(s.labels().get("node")));
        assertEquals(NODES, nodes);
        assertEquals(1.0, scrape.value("transitwatch_observer_connected", Map.of("node", "relay")));
        assertNotNull(scrape.value("transitwatch_sink_sent_total", Map.of("sink", "stdout")));
    }

    @Test
    void probesAreUp() throws InterruptedException {
        assertEquals(200, get(port, "/healthz").statusCode());
        HttpResponse<String> ready = await("/readyz 200", DETECTION_DEADLINE, () -> {
            HttpResponse<String> response = get(port, "/readyz");
            return response.statusCode() == 200 ? response : null;
        });
        assertTrue(ready.body().startsWith("ready: "), ready.body());
    }

    @Test
    void matrixMarksTheBlackholedCellOnly() throws Exception {
        JsonNode matrix = JSON.readTree(get(port, "/api/matrix").body());
        Set<String> nodes = new TreeSet<>();
        matrix.get("nodes").forEach(node -> nodes.add(node.asText()));
        assertEquals(NODES, nodes);
        assertEquals("[\"IPv4\",\"IPv6\"]", matrix.get("families").toString());
        assertTrue(matrix.get("window_seconds").isNumber() && matrix.get("window_max_seconds").asDouble() > 0);
        int loss = 0;
        for (JsonNode pair : matrix.get("pairs")) {
            for (String field : List.of("source_node", "destination_node", "family", "state", "loss_ratio", "recent", "total")) {
                assertTrue(pair.has(field), field + " in " + pair);
            }
            for (String count : List.of("departures", "matched", "lost", "dropped", "late", "unverified")) {
                assertTrue(pair.get("recent").get(count).isIntegralNumber() && pair.get("total").get(count).isIntegralNumber());
            }
            boolean blackholed = pair.get("source_node").asText().equals("solwk03")
                    && pair.get("destination_node").asText().equals("solwk02") && pair.get("family").asText().equals("IPv6");
            if (blackholed) {
                assertEquals("loss", pair.get("state").asText(), pair.toString());
                assertEquals(1.0, pair.get("loss_ratio").asDouble(), pair.toString());
                loss++;
            } else {
                assertFalse(pair.get("state").asText().equals("loss"), pair.toString());
            }
        }
        assertEquals(1, loss);
    }

    @Test
    void roundTripsToTheApiServerShowPerSourceDestinationAndFamily() throws Exception {
        // the seed's solwk01 IPv6 attempts to the API server go unanswered; every other round trip is answered
        JsonNode api = await("/api/round-trips: solwk01 -> kube-apiserver IPv6 no_reply", DETECTION_DEADLINE, () -> {
            try {
                JsonNode body = JSON.readTree(get(port, "/api/round-trips").body());
                for (JsonNode row : body.get("round_trips")) {
                    if (row.get("source_node").asText().equals("solwk01") && row.get("family").asText().equals("IPv6")
                            && row.get("destination").asText().equals("kube-apiserver")
                            && row.get("state").asText().equals("no_reply")) {
                        return body;
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (JsonNode row : api.get("round_trips")) {
            for (String field : List.of("source_node", "destination", "destination_kind", "family", "state", "recent",
                    "total")) {
                assertTrue(row.has(field), field + " in " + row);
            }
            String destination = row.get("destination").asText();
            assertFalse(destination.matches(".*[0-9][.:][0-9a-f].*") && !NODES.contains(destination),
                    "a destination is a name, never an address: " + row);
            boolean broken = row.get("source_node").asText().equals("solwk01") && row.get("family").asText().equals("IPv6")
                    && destination.equals("kube-apiserver");
            if (broken) {
                assertEquals("class", row.get("destination_kind").asText());
                assertTrue(row.get("total").get("no_reply").asLong() > 0, row.toString());
            } else {
                assertEquals(0, row.get("total").get("no_reply").asLong() + row.get("total").get("refused").asLong(),
                        row.toString());
            }
        }

        PrometheusText scrape = PrometheusText.parse(get(port, "/metrics").body());
        Double noReply = scrape.value("transitwatch_round_trips_by_destination_total", Map.of("source_node", "solwk01",
                "destination", "kube-apiserver", "family", "IPv6", "verdict", "no_reply"));
        assertNotNull(noReply, "per-destination round-trip series");
        assertTrue(noReply > 0);
        for (PrometheusText.Sample sample : scrape.samples("transitwatch_round_trips_by_destination_total")) {
            String destination = sample.labels().get("destination");
            assertTrue(NODES.contains(destination) || Set.of("kube-apiserver", "host", "world").contains(destination),
                    "bounded destination label: " + sample);
        }
        JsonNode alerts = JSON.readTree(get(port, "/api/alerts").body()).get("alerts");
        for (JsonNode alert : alerts) {
            if (alert.get("verdict").asText().equals("NO_REPLY")) {
                assertEquals("kube-apiserver", alert.get("destination_name").asText(), alert.toString());
            }
        }
    }

    @Test
    void incidentsAndAlertsUseTheSinksJson() throws Exception {
        // the seed: solwk03 -> solwk02 IPv6 blackholed, and solwk01's IPv6 attempts to the API server unanswered;
        // the view is refreshed every second, and the NO_REPLY incident opens a window after its first attempt
        Set<List<String>> expected = Set.of(List.of("solwk03", "solwk02", "IPv6", "LOST_IN_TRANSIT"),
                List.of("solwk01", "kube-apiserver", "IPv6", "NO_REPLY"));
        JsonNode incidents = await("/api/incidents: both incidents", DETECTION_DEADLINE, () -> {
            JsonNode now = read("/api/incidents").get("incidents");
            return now.size() >= expected.size() ? now : null;
        });
        Set<List<String>> firing = new TreeSet<>(java.util.Comparator.comparing(List::toString));
        for (JsonNode node : incidents) {
            IncidentChange incident = (IncidentChange) EventJson.decode(node.toString());
            assertEquals(IncidentState.FIRING, incident.state());
            firing.add(List.of(incident.sourceNode(), incident.destinationNode(), incident.family(),
                    String.valueOf(incident.verdict())));
        }
        assertEquals(expected, Set.copyOf(firing), incidents.toString());

        JsonNode alerts = JSON.readTree(get(port, "/api/alerts").body()).get("alerts");
        assertTrue(alerts.size() > 0);
        String previousTime = "9999";
        for (JsonNode node : alerts) {
            Alert alert = (Alert) EventJson.decode(node.toString());
            if (alert.verdict() == Verdict.NO_REPLY) {
                assertEquals(List.of("solwk01", "IPv6", 6443),
                        List.of(alert.source().node(), alert.family(), alert.destination().port()), node.toString());
            } else {
                assertEquals(Verdict.LOST_IN_TRANSIT, alert.verdict(), node.toString());
                assertEquals(List.of("solwk03", "solwk02", "IPv6"),
                        List.of(alert.source().node(), alert.destination().node(), alert.family()));
            }
            assertTrue(node.get("time").asText().compareTo(previousTime) <= 0, "newest first");
            previousTime = node.get("time").asText();
        }
    }

    @Test
    void observersAndStatus() throws Exception {
        JsonNode observers = JSON.readTree(get(port, "/api/observers").body()).get("observers");
        Set<String> names = new TreeSet<>();
        for (JsonNode observer : observers) {
            names.add(observer.get("node").asText());
            for (String field : List.of("connected", "last_error", "request_profile", "flows", "reconnects", "gaps",
                    "lost_events", "duplicates", "malformed", "clock_offset_seconds", "lateness_seconds",
                    "extra_wait_seconds")) {
                assertTrue(observer.has(field), field + " in " + observer);
            }
            assertTrue(observer.get("connected").asBoolean(), observer.toString());
            assertEquals("FULL", observer.get("request_profile").asText());
        }
        Set<String> expected = new TreeSet<>(NODES);
        expected.add("relay");
        assertEquals(expected, names);
        assertTrue(observers.get(1).get("clock_offset_seconds").isNumber(), observers.get(1).toString());

        JsonNode status = JSON.readTree(get(port, "/api/status").body());
        assertTrue(status.get("ready").asBoolean(), status.toString());
        assertTrue(status.get("join").get("lost").asLong() > 0, status.toString());
        assertTrue(status.get("overloaded").isBoolean(), status.toString());
        assertEquals(0, status.get("overload_lost_events").asLong(), "the demo's load is far below saturation");
        assertEquals("stdout", status.get("sinks").get(0).get("sink").asText());
    }

    @Test
    void coverageAndWatchSayEveryNodeIsWatched() throws Exception {
        JsonNode coverage = await("every node watched over the whole recent window", DETECTION_DEADLINE, () -> {
            JsonNode now = read("/api/status").get("coverage");
            return now.get("nodes_watched").asInt() == NODES.size() && now.get("incomplete_recently").isEmpty()
                    && now.get("cells_unknown").asInt() == 0 ? now : null;
        });
        assertEquals(NODES.size(), coverage.get("nodes_known").asInt());
        assertEquals(0, coverage.get("not_watched").size(), coverage.toString());
        assertTrue(coverage.get("judged").asLong() > 0, coverage.toString());
        double ratio = coverage.get("ratio").asDouble();
        assertTrue(ratio > 0.9 && ratio <= 1.0, "nearly every departure judged: " + coverage);
        assertTrue(coverage.get("window_seconds").isNumber() && coverage.has("unverified")
                && coverage.has("waiting_on_unwatched"), coverage.toString());

        JsonNode matrix = read("/api/matrix");
        assertTrue(matrix.get("coverage").isObject(), "the matrix carries the same coverage");
        Set<String> watched = new TreeSet<>();
        for (JsonNode node : matrix.get("node_watch")) {
            assertEquals("watched", node.get("state").asText(), node.toString());
            assertTrue(node.get("watched").asBoolean() && node.get("complete").asBoolean(), node.toString());
            assertTrue(node.get("reason").isNull(), node.toString());
            watched.add(node.get("node").asText());
        }
        assertEquals(NODES, watched);
        for (JsonNode pair : matrix.get("pairs")) {
            assertTrue(pair.has("unknown_reason"), pair.toString());
        }
        for (JsonNode observer : read("/api/observers").get("observers")) {
            assertEquals("watched", observer.get("watch_state").asText(), observer.toString());
            assertTrue(observer.get("watched").asBoolean() && observer.get("complete_recently").asBoolean());
            assertTrue(observer.get("watch_reason").isNull(), observer.toString());
        }
    }

    @Test
    void openIncidentCountsKeepUpWithTheMatrix() throws Exception {
        long lostOnPair = await("3 losses on the blackholed pair", DETECTION_DEADLINE, () -> {
            long lost = blackholedTotalLost();
            return lost >= 3 ? lost : null;
        });
        // The incident opened at the pair's first loss, so it counts every loss the matrix counts;
        // announcements reach the sinks every 30 s, but the API's view is refreshed every second.
        IncidentChange incident = await("/api/incidents counting the " + lostOnPair + " losses", DETECTION_DEADLINE, () -> {
            for (JsonNode node : read("/api/incidents").get("incidents")) {
                IncidentChange now = (IncidentChange) EventJson.decode(node.toString());
                if (now.sourceNode().equals("solwk03") && now.destinationNode().equals("solwk02")
                        && now.family().equals("IPv6")) {
                    return now.lost() >= lostOnPair ? now : null;
                }
            }
            return null;
        });
        assertTrue(incident.lost() <= blackholedTotalLost(), "never ahead of the counters it rolls up");
    }

    private static long blackholedTotalLost() {
        for (JsonNode pair : read("/api/matrix").get("pairs")) {
            if (pair.get("source_node").asText().equals("solwk03") && pair.get("destination_node").asText().equals("solwk02")
                    && pair.get("family").asText().equals("IPv6")) {
                return pair.get("total").get("lost").asLong();
            }
        }
        return 0;
    }

    private static JsonNode read(String path) {
        try {
            return JSON.readTree(get(port, path).body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void servesOnlyGetAndHeadOnKnownPaths() {
        HttpResponse<String> post = HttpTestSupport.send(port, "/metrics", "POST");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        assertEquals(404, get(port, "/nope").statusCode());
        assertEquals(404, get(port, "/api/nope").statusCode());
        HttpResponse<String> head = HttpTestSupport.send(port, "/", "HEAD");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());

        HttpResponse<String> page = get(port, "/");
        assertTrue(page.body().contains("<title>TransitWatch</title>"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        assertTrue(get(port, "/app.js").headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(get(port, "/style.css").headers().firstValue("Content-Type").orElse("").startsWith("text/css"));
    }
}
