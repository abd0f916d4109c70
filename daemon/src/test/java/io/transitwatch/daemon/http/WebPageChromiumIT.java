package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.HttpTestSupport.DETECTION_DEADLINE;
import static io.transitwatch.daemon.http.HttpTestSupport.await;
import static io.transitwatch.daemon.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.sim.SimMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in a real browser: headless Chromium loads it from a daemon running the seed scenario,
 * its script renders the matrix, and the DOM shows the blackholed cell (solwk03 -> solwk02, IPv6) as
 * loss and no other, and its round-trip panel the seed's unanswered solwk01 -> kube-apiserver IPv6 attempts
 * and no other failing round trip; with every stream down it shows "not watching" and nothing green; with one
 * node down its column is "cannot tell". Leaves screenshots in {@code target/web-page*.png} (taken
 * before the checks, so that a failure has a picture). Needs {@code /usr/bin/chromium}
 * ({@code .ci/install-chromium}); without it the test fails, saying so.
 */
class WebPageChromiumIT {
    private static final Pattern HALF_CELL = Pattern.compile("<div class=\"half\"[^>]*>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z][a-z0-9-]*)=\"([^\"]*)\"");
    private static final Path SCREENSHOT = Path.of("target", "web-page.png");
    private static final List<String> NODES = List.of("solcp01", "solcp02", "solcp03", "solwk01", "solwk02", "solwk03");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;

    @Test
    void matrixMarksTheBlackholedCellAsLossAndNoOther() throws Exception {
        HeadlessChromium.requireInstalled();
        try (Demo demo = HttpTestSupport.startSeedDemo()) {
            int port = demo.daemon().httpPort();
            await("/api/matrix showing the blackhole", DETECTION_DEADLINE, () -> blackholeShown(port) ? true : null);
            await("every node watched over the whole recent window", DETECTION_DEADLINE,
                    () -> everyNodeComplete(port) ? true : null);
            String url = "http://127.0.0.1:" + port + "/";
            HeadlessChromium chromium = new HeadlessChromium(workDir);
            String before = HttpTestSupport.lostCounters(port);

            String dom = chromium.dumpDom(url);
            chromium.screenshot(url, SCREENSHOT, 1440, 1300);
            byte[] png = Files.readAllBytes(SCREENSHOT);
            assertTrue(png.length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG in " + SCREENSHOT);

            assertTrue(dom.contains("data-loaded=\"true\""), "the page's script rendered the API data:\n" + dom);
            List<Map<String, String>> halves = halfCells(dom);
            assertEquals(6 * 5 * 2, halves.size(), "one IPv4 and one IPv6 half per ordered pair of 6 nodes");
            List<String> loss = new ArrayList<>();
            int ok = 0;
            for (Map<String, String> half : halves) {
                assertTrue(half.keySet().containsAll(List.of("data-source", "data-destination", "data-family",
                        "data-state", "title", "aria-label")), half.toString());
                if (half.get("data-state").equals("loss")) {
                    loss.add(half.get("data-source") + "->" + half.get("data-destination") + " " + half.get("data-family"));
                } else if (half.get("data-state").equals("ok")) {
                    ok++;
                }
            }
            assertEquals(List.of("solwk03->solwk02 IPv6"), loss, () -> "lost counters before Chromium ran:\n" + before
                    + HttpTestSupport.unexpectedLoss(demo));
            assertTrue(ok > halves.size() / 2, "most cells matched, got " + ok + " of " + halves.size());

            // The round-trip panel: the seed's solwk01 -> kube-apiserver IPv6 attempts go unanswered, nothing else fails.
            await("/api/round-trips showing solwk01 -> kube-apiserver IPv6 no_reply", DETECTION_DEADLINE,
                    () -> apiServerNoReplyShown(port) ? true : null);
            String again = chromium.dumpDom(url);
            List<Map<String, String>> roundTrips = roundTripRows(again);
            List<String> failing = new ArrayList<>();
            for (Map<String, String> row : roundTrips) {
                String state = row.get("data-state");
                if (state.equals("no_reply") || state.equals("refused")) {
                    failing.add(row.get("data-source") + "->" + row.get("data-destination") + " "
                            + row.get("data-family") + " " + state + " " + row.get("data-destination-kind"));
                }
            }
            assertEquals(List.of("solwk01->kube-apiserver IPv6 no_reply class"), failing, again);
            assertTrue(roundTrips.stream().anyMatch(row -> row.get("data-state").equals("ok")),
                    "answered round trips show as answered: " + roundTrips);
        }
    }

    private static final Pattern ROUND_TRIP_ROW = Pattern.compile("<tr [^>]*data-destination-kind=\"[^\"]*\"[^>]*>");

    /** The attributes of every row of the round-trip panel. */
    private static List<Map<String, String>> roundTripRows(String dom) {
        List<Map<String, String>> rows = new ArrayList<>();
        Matcher row = ROUND_TRIP_ROW.matcher(dom);
        while (row.find()) {
            Map<String, String> attributes = new HashMap<>();
            Matcher attribute = ATTRIBUTE.matcher(row.group());
            while (attribute.find()) {
                attributes.put(attribute.group(1), attribute.group(2));
            }
            rows.add(attributes);
        }
        return rows;
    }

    private static boolean apiServerNoReplyShown(int port) {
        try {
            for (JsonNode row : JSON.readTree(get(port, "/api/round-trips").body()).get("round_trips")) {
                if (row.get("source_node").asText().equals("solwk01")
                        && row.get("destination").asText().equals("kube-apiserver")
                        && row.get("family").asText().equals("IPv6") && row.get("state").asText().equals("no_reply")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyStreamDownShowsNotWatchingAndNothingGreen() throws Exception {
        HeadlessChromium.requireInstalled();
        try (Demo demo = HttpTestSupport.startSeedDemo(SimMode.NODES)) {
            int port = demo.daemon().httpPort();
            await("every node's stream delivering", DETECTION_DEADLINE,
                    () -> coverage(port).get("nodes_watched").asInt() == NODES.size() ? true : null);
            NODES.forEach(demo.simulator()::stopNode);
            JsonNode coverage = await("every node's stream down", DETECTION_DEADLINE, () -> {
                JsonNode now = coverage(port);
                return now.get("nodes_watched").asInt() == 0 ? now : null;
            });
            assertEquals(NODES.size(), coverage.get("nodes_known").asInt(), coverage.toString());
            for (JsonNode node : coverage.get("not_watched")) {
                assertTrue(node.get("reason").asText().startsWith("stream down"), node.toString());
            }
            JsonNode observers = JSON.readTree(get(port, "/api/observers").body()).get("observers");
            for (JsonNode observer : observers) {
                assertEquals("down", observer.get("watch_state").asText(), observer.toString());
                assertFalse(observer.get("watched").asBoolean(), observer.toString());
            }
            String url = "http://127.0.0.1:" + port + "/";
            HeadlessChromium chromium = new HeadlessChromium(workDir);
            chromium.screenshot(url, Path.of("target", "web-page-blind.png"), 1440, 1300);
            String dom = chromium.dumpDom(url);

            assertTrue(dom.contains("data-loaded=\"true\""), "the page's script rendered the API data:\n" + dom);
            assertFalse(dom.contains("class=\"finding-ok\""), "no green finding while blind:\n" + dom);
            assertFalse(dom.contains("No loss in the last"), dom);
            assertFalse(dom.contains("every judged departure arrived"), dom);
            assertTrue(dom.contains("<li class=\"finding-blind\" data-watch=\"blind\"><div class=\"finding-head\">"
                    + "Not watching 6 of 6 nodes</div>"), "a visible not-watching finding:\n" + dom);
            // Not hidden (no "hidden" attribute), and its title has each node's reason.
            assertTrue(Pattern.compile("<p class=\"blind-note\" id=\"incidents-note\" title=\"solcp01: stream down[^\"]*\">"
                    + "Not watching 6 of 6 nodes").matcher(dom).find(), "the incidents card says what is not watched:\n" + dom);
            assertTrue(dom.contains("class=\"tile tile-coverage\" data-watch=\"blind\""), dom);
            assertTrue(dom.contains("<span class=\"tile-value\" id=\"t-coverage\">blind</span>"), dom);
            assertTrue(dom.contains("0 of 6 nodes watched"), dom);
            List<Map<String, String>> halves = halfCells(dom);
            assertEquals(6 * 5 * 2, halves.size());
            List<String> judgedGreen = new ArrayList<>();
            for (Map<String, String> half : halves) {
                String state = half.get("data-state");
                if (!state.equals("unknown") && !state.equals("loss")) {
                    judgedGreen.add(half.toString());
                }
            }
            assertEquals(List.of(), judgedGreen, "with no stream up every cell is unknown (or a loss already judged)");
        }
    }

    @Test
    void aDestinationDownIsMarkedUnknownInItsColumn() throws Exception {
        HeadlessChromium.requireInstalled();
        String down = "solcp02";
        try (Demo demo = HttpTestSupport.startSeedDemo()) {
            int port = demo.daemon().httpPort();
            await("every node watched over the whole recent window", DETECTION_DEADLINE,
                    () -> everyNodeComplete(port) ? true : null);
            demo.simulator().stopNode(down);
            JsonNode matrix = await(down + " not watched", DETECTION_DEADLINE, () -> {
                JsonNode now = read(port, "/api/matrix");
                return now.get("coverage").get("nodes_watched").asInt() == NODES.size() - 1 ? now : null;
            });
            JsonNode notWatched = matrix.get("coverage").get("not_watched");
            assertEquals(1, notWatched.size(), notWatched.toString());
            assertEquals(down, notWatched.get(0).get("node").asText());
            for (JsonNode pair : matrix.get("pairs")) {
                if (pair.get("destination_node").asText().equals(down) && !pair.get("state").asText().equals("loss")) {
                    assertEquals("unknown", pair.get("state").asText(), pair.toString());
                    assertTrue(pair.get("unknown_reason").asText().startsWith("destination " + down + " not watched"),
                            pair.toString());
                }
            }
            String url = "http://127.0.0.1:" + port + "/";
            HeadlessChromium chromium = new HeadlessChromium(workDir);
            chromium.screenshot(url, Path.of("target", "web-page-node-down.png"), 1440, 1300);
            String dom = chromium.dumpDom(url);

            assertTrue(dom.contains("data-loaded=\"true\""), "the page's script rendered the API data:\n" + dom);
            List<Map<String, String>> halves = halfCells(dom);
            assertEquals(6 * 5 * 2, halves.size());
            List<String> column = new ArrayList<>();
            List<String> elsewhereUnknown = new ArrayList<>();
            for (Map<String, String> half : halves) {
                String cell = half.get("data-source") + "->" + half.get("data-destination") + " " + half.get("data-family");
                if (half.get("data-destination").equals(down)) {
                    column.add(cell + " " + half.get("data-state"));
                    assertTrue(half.get("title").contains("cannot tell: destination " + down + " not watched"), half.toString());
                } else if (!half.get("data-source").equals(down) && half.get("title").contains("not watched")) {
                    // (A cell may still be unknown for its own unverified departures, never for a watched node.)
                    elsewhereUnknown.add(cell + ": " + half.get("title"));
                }
            }
            assertEquals(10, column.size(), column.toString());
            assertTrue(column.stream().allMatch(cell -> cell.endsWith(" unknown")), "the whole column is unknown: " + column);
            assertEquals(List.of(), elsewhereUnknown, "only the column (and row) of the node that is down is blamed on it");
            assertTrue(dom.contains("data-state=\"partial\""), "the header's dot is not green while a node is not watched");
            assertTrue(Pattern.compile("<th scope=\"col\" data-node=\"" + down + "\" data-watch=\"down\" data-complete=\"false\"")
                    .matcher(dom).find(), "the column's header is marked:\n" + dom);
            assertTrue(dom.contains("<li data-node=\"" + down + "\">"), "findings name the node:\n" + dom);
            assertTrue(dom.contains("Not watching 1 of 6 nodes"), dom);
            assertFalse(dom.contains("class=\"finding-ok\""), dom);
        }
    }

    private static JsonNode read(int port, String path) {
        try {
            return JSON.readTree(get(port, path).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode coverage(int port) {
        return read(port, "/api/status").get("coverage");
    }

    private static boolean everyNodeComplete(int port) {
        JsonNode coverage = coverage(port);
        return coverage.get("nodes_watched").asInt() == NODES.size() && coverage.get("not_watched").isEmpty()
                && coverage.get("incomplete_recently").isEmpty() && coverage.get("cells_unknown").asInt() == 0;
    }

    private static boolean blackholeShown(int port) {
        try {
            JsonNode matrix = new ObjectMapper().readTree(get(port, "/api/matrix").body());
            for (JsonNode pair : matrix.get("pairs")) {
                if (pair.get("source_node").asText().equals("solwk03") && pair.get("destination_node").asText().equals("solwk02")
                        && pair.get("family").asText().equals("IPv6")) {
                    return pair.get("state").asText().equals("loss");
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The attributes of every matrix half-cell in the serialized DOM. */
    private static List<Map<String, String>> halfCells(String dom) {
        List<Map<String, String>> cells = new ArrayList<>();
        Matcher tag = HALF_CELL.matcher(dom);
        while (tag.find()) {
            Map<String, String> attributes = new HashMap<>();
            Matcher attribute = ATTRIBUTE.matcher(tag.group());
            while (attribute.find()) {
                attributes.put(attribute.group(1), attribute.group(2));
            }
            cells.add(attributes);
        }
        return cells;
    }
}
