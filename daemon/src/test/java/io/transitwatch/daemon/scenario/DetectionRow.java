package io.transitwatch.daemon.scenario;

import io.transitwatch.daemon.scenario.DetectionMatrix.Expect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Immutable. One scenario × mode row of {@code docs/detection.md}: the numbers, the thresholds of issue
 * #6 applied to them ({@link #failures()}), and the row's markdown, written by {@link DetectionReport}
 * and read back by {@link DetectionDocTest} ({@link #parse}).
 *
 * @param judgedLost      judged ground-truth records that are failures: LOST, NO_REPLY, REFUSED (see {@link ScenarioRun})
 * @param detected        of those, the ones with the alert of their verdict
 * @param lostAlerts      failure alerts emitted (LOST_IN_TRANSIT, NO_REPLY, REFUSED)
 * @param falsePositives  failure alerts whose key did not really fail so
 * @param otherAlerts     alerts of any other verdict (LATE, DROPPED_AT_DESTINATION)
 * @param precision       true / (true + false) failure alerts; NaN without any scored failure alert
 * @param recall          detected / judged lost; NaN without any judged loss
 * @param unverifiedShare UNVERIFIED verdicts / all departure verdicts of the run
 * @param latencyP50      detection latency, median; null when nothing was detected
 * @param latencyP99      detection latency, 99th percentile; null when nothing was detected
 */
record DetectionRow(String scenario, String mode, int judgedLost, int detected, int lostAlerts, int falsePositives,
        int otherAlerts, double precision, double recall, double unverifiedShare, Duration latencyP50,
        Duration latencyP99) {

    /** Issue #6, Done-when. */
    static final double MIN_PRECISION = 0.999;
    static final double MIN_RECALL = 0.99;
    /** p99 detection latency at most the join window plus this. */
    static final Duration LATENCY_ALLOWANCE = Duration.ofSeconds(2);
    static final Duration MAX_LATENCY_P99 = ScenarioRun.WINDOW.plus(LATENCY_ALLOWANCE);

    static final String HEADER = "| scenario | mode | judged failed | detected | failure alerts | false positives "
            + "| other alerts | precision | recall | UNVERIFIED | latency p50 | latency p99 | verdict |\n"
            + "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|";
    private static final String NONE = "n/a";
    private static final String PASS = "PASS";

    /** What keeps this row from meeting the thresholds for its scenario; empty when it meets them. */
    List<String> failures() {
        Expect expect = DetectionMatrix.get(scenario).expect();
        List<String> failures = new ArrayList<>();
        if (expect == Expect.LOSS) {
            if (judgedLost == 0) {
                failures.add("no judged loss: the scenario tested nothing");
            }
            if (!(precision >= MIN_PRECISION)) {
                failures.add("precision " + percent(precision) + " < " + percent(MIN_PRECISION));
            }
            if (!(recall >= MIN_RECALL)) {
                failures.add("recall " + percent(recall) + " < " + percent(MIN_RECALL));
            }
            if (latencyP99 == null || latencyP99.compareTo(MAX_LATENCY_P99) > 0) {
                failures.add("latency p99 " + seconds(latencyP99) + " > " + seconds(MAX_LATENCY_P99));
            }
        } else {
            if (judgedLost != 0) {
                failures.add(judgedLost + " judged losses in a scenario that loses nothing");
            }
            if (lostAlerts + otherAlerts != 0) {
                failures.add((lostAlerts + otherAlerts) + " alerts, expected none");
            }
        }
        if (detected > judgedLost || falsePositives > lostAlerts) {
            failures.add("inconsistent counts");
        }
        if (judgedLost > 0 && Math.abs(recall - (double) detected / judgedLost) > 1e-4) {
            failures.add("recall does not match detected / judged lost");
        }
        return failures;
    }

    String verdict() {
        List<String> failures = failures();
        return failures.isEmpty() ? PASS : "FAIL: " + String.join("; ", failures);
    }

    String markdown() {
        return "| " + String.join(" | ", scenario, mode, Integer.toString(judgedLost), Integer.toString(detected),
                Integer.toString(lostAlerts), Integer.toString(falsePositives), Integer.toString(otherAlerts),
                percent(precision), percent(recall), percent(unverifiedShare), seconds(latencyP50),
                seconds(latencyP99), verdict()) + " |";
    }

    /** The row {@link #markdown()} wrote, or null if {@code line} is no such row. */
    static DetectionRow parse(String line) {
        String[] cells = line.trim().split("\\|", -1);
        if (cells.length != 15 || !cells[0].isEmpty() || !cells[14].isEmpty()) {
            return null;
        }
        try {
            return new DetectionRow(cells[1].trim(), cells[2].trim(), integer(cells[3]), integer(cells[4]),
                    integer(cells[5]), integer(cells[6]), integer(cells[7]), parsePercent(cells[8]),
                    parsePercent(cells[9]), parsePercent(cells[10]), parseSeconds(cells[11]),
                    parseSeconds(cells[12]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The verdict cell of a written row. */
    static String writtenVerdict(String line) {
        String[] cells = line.trim().split("\\|", -1);
        return cells.length == 15 ? cells[13].trim() : null;
    }

    static String percent(double fraction) {
        return Double.isNaN(fraction) ? NONE : String.format(Locale.ROOT, "%.3f %%", fraction * 100.0);
    }

    static String seconds(Duration duration) {
        return duration == null ? NONE : String.format(Locale.ROOT, "%.3f s", duration.toMillis() / 1000.0);
    }

    private static int integer(String cell) {
        return Integer.parseInt(cell.trim());
    }

    private static double parsePercent(String cell) {
        String text = cell.trim();
        if (text.equals(NONE)) {
            return Double.NaN;
        }
        if (!text.endsWith(" %")) {
            throw new IllegalArgumentException(text);
        }
        return Double.parseDouble(text.substring(0, text.length() - 2)) / 100.0;
    }

    private static Duration parseSeconds(String cell) {
        String text = cell.trim();
        if (text.equals(NONE)) {
            return null;
        }
        if (!text.endsWith(" s")) {
            throw new IllegalArgumentException(text);
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 2)) * 1000.0));
    }
}
