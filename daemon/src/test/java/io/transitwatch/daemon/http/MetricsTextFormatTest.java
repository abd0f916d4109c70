package io.transitwatch.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strict text-format check used on {@code /metrics} accepts valid text and rejects each kind of fault. */
class MetricsTextFormatTest {
    private static final String VALID = """
            # HELP x_total A counter with \\\\ and \\n in its help.
            # TYPE x_total counter
            x_total{a="q\\"uote",b="back\\\\slash\\nline"} 3.0
            x_total{a="2",b=""} 0
            # HELP g A gauge.
            # TYPE g gauge
            g 1.0E-7
            g{node="n"} -Inf
            # HELP h_seconds A histogram.
            # TYPE h_seconds histogram
            h_seconds_bucket{p="1",le="1.0E-4"} 1
            h_seconds_bucket{p="1",le="0.5"} 3
            h_seconds_bucket{p="1",le="+Inf"} 4
            h_seconds_count{p="1"} 4
            h_seconds_sum{p="1"} 0.75
            """;

    @Test
    void acceptsValidTextAndReadsIt() {
        PrometheusText text = PrometheusText.parse(VALID);
        assertEquals(3.0, text.value("x_total", Map.of("a", "q\"uote", "b", "back\\slash\nline")));
        assertEquals(1e-7, text.value("g", Map.of()));
        assertEquals(Map.of("x_total", "counter", "g", "gauge", "h_seconds", "histogram"), text.types());
        assertEquals(9, text.samples().size());
    }

    /** Each row: the fault, a line of {@link #VALID}, what replaces it, and what the error must say. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "buckets not cumulative   | h_seconds_bucket{p=\"1\",le=\"0.5\"} 3 | h_seconds_bucket{p=\"1\",le=\"0.5\"} 0 | not cumulative",
        "no +Inf bucket           | h_seconds_bucket{p=\"1\",le=\"+Inf\"} 4 | h_seconds_bucket{p=\"1\",le=\"9\"} 4 | not le=",
        "_count != +Inf bucket    | h_seconds_count{p=\"1\"} 4 | h_seconds_count{p=\"1\"} 5 | != +Inf bucket",
        "duplicate series         | x_total{a=\"2\",b=\"\"} 0 | x_total{b=\"back\\\\slash\\nline\",a=\"q\\\"uote\"} 1 | duplicate series",
        "bad escape in label      | x_total{a=\"2\",b=\"\"} 0 | x_total{a=\"2\",b=\"\\t\"} 0 | bad escape",
        "unquoted label           | x_total{a=\"2\",b=\"\"} 0 | x_total{a=2,b=\"\"} 0 | not quoted",
        "bad label name           | x_total{a=\"2\",b=\"\"} 0 | x_total{a=\"2\",1b=\"\"} 0 | bad label name",
        "reserved label name      | x_total{a=\"2\",b=\"\"} 0 | x_total{a=\"2\",__b=\"\"} 0 | bad label name",
        "bad value                | g 1.0E-7 | g 1,5 | bad value",
        "negative counter         | x_total{a=\"2\",b=\"\"} 0 | x_total{a=\"2\",b=\"\"} -1 | is -1",
        "counter without _total   | x_total{a=\"2\",b=\"\"} 0 | x{a=\"2\",b=\"\"} 0 | ending in _total",
        "sample of another family | g 1.0E-7 | other 1 | not named like its TYPE",
        "second TYPE              | # TYPE g gauge | # TYPE g gauge\\n# TYPE g gauge | second TYPE",
        "unknown comment          | # HELP g A gauge. | # g is a gauge | comments are expected",
        "bad metric name          | g 1.0E-7 | 9g 1 | bad metric name",
        "bad help escape          | # HELP g A gauge. | # HELP g A \\x gauge. | bad escape in HELP",
    })
    void rejects(String fault, String line, String replacement, String reason) {
        String broken = VALID.replace(line.strip(), replacement.strip().replace("\\n#", "\n#"));
        assertTrue(!broken.equals(VALID), "the replacement applies: " + fault);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(broken), fault);
        assertTrue(error.getMessage().contains(reason), fault + ": " + error.getMessage());
    }

    @Test
    void rejectsMissingTrailingNewlineAndEmptyLines() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(VALID.strip()));
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(VALID + "\n"));
    }
}
