package io.transitwatch.daemon.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.transitwatch.daemon.http.RoleView.RoleMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-thread only. The metrics named by the chart's alert rules for {@code mode: scaled}
 * ({@code helm/transitwatch/files/prometheus-rules-scaled.yaml}, shown in docs/scaling.md), so that each
 * role's integration test can check that the role really exports the ones of its prefix: a rule on a
 * metric nobody exports would stay silent for ever.
 */
public final class ScaledAlertRules {
    private static final String RULES = "helm/transitwatch/files/prometheus-rules-scaled.yaml";
    private static final Pattern METRIC = Pattern.compile("\\btransitwatch_[a-z_:]+");

    private ScaledAlertRules() {
    }

    /**
     * The metric names of every rule's {@code expr} that start with {@code prefix} (for example {@code
     * transitwatch_collector_}); at least one, so that a role's check is never empty.
     */
    public static Set<String> metricsOf(String prefix) throws IOException {
        Path file = RepositoryFiles.file(RULES);
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        Set<String> names = new TreeSet<>();
        for (JsonNode expr : rules.findValues("expr")) {
            Matcher m = METRIC.matcher(expr.asText());
            while (m.find()) {
                if (m.group().startsWith(prefix)) {
                    names.add(m.group());
                }
            }
        }
        if (names.isEmpty()) {
            throw new AssertionError("no scaled alert rule names a metric starting with " + prefix + ": " + file);
        }
        return names;
    }

    /** The names a role's metrics have on {@code /metrics}: a counter's with {@code _total}. */
    public static Set<String> exported(List<RoleMetric> metrics) {
        Set<String> names = new TreeSet<>();
        metrics.forEach(metric -> names.add(metric.counter() ? metric.name() + "_total" : metric.name()));
        return names;
    }
}
