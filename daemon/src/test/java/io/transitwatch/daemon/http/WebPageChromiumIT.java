package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.HttpTestSupport.DETECTION_DEADLINE;
import static io.transitwatch.daemon.http.HttpTestSupport.await;
import static io.transitwatch.daemon.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.daemon.lifecycle.Demo;
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
 * loss and no other. Leaves a screenshot in {@code target/web-page.png} (taken before the checks,
 * so that a failure has a picture). Needs {@code /usr/bin/chromium}
 * ({@code .ci/install-chromium}); without it the test fails, saying so.
 */
class WebPageChromiumIT {
    private static final Pattern HALF_CELL = Pattern.compile("<div class=\"half\"[^>]*>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z][a-z0-9-]*)=\"([^\"]*)\"");
    private static final Path SCREENSHOT = Path.of("target", "web-page.png");

    @TempDir
    Path workDir;

    @Test
    void matrixMarksTheBlackholedCellAsLossAndNoOther() throws Exception {
        HeadlessChromium.requireInstalled();
        try (Demo demo = HttpTestSupport.startSeedDemo()) {
            int port = demo.daemon().httpPort();
            await("/api/matrix showing the blackhole", DETECTION_DEADLINE, () -> blackholeShown(port) ? true : null);
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
        }
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
