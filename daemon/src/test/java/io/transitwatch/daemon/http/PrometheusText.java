package io.transitwatch.daemon.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Not thread-safe; one per scrape. A strict parser of the Prometheus text exposition format 0.0.4,
 * stricter than Prometheus itself where our output has no reason to differ: every family has
 * exactly one HELP and one TYPE before its samples, families are contiguous, no other comments.
 *
 * <p>Checks the line syntax (metric and label names, quoting and escaping of label values and
 * HELP text, Go float values), that sample names fit the family's type ({@code _total} for
 * counters, {@code _bucket}/{@code _sum}/{@code _count} for histograms), that no series appears
 * twice, that counters are non-negative, and that each histogram's buckets are cumulative with
 * increasing bounds ending in {@code le="+Inf"}, with {@code _count} equal to that bucket.
 * {@link #parse} throws {@link IllegalArgumentException} naming the line at the first violation.
 */
final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Inf|NaN)");
    private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample: its name, labels (in order of appearance) and value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    private final Map<String, String> types = new HashMap<>();
    private final Set<String> helps = new HashSet<>();
    private final Set<String> finishedFamilies = new HashSet<>();
    private final Set<String> familiesWithSamples = new HashSet<>();
    private final Set<String> seriesKeys = new HashSet<>();
    private final List<Sample> samples = new ArrayList<>();
    private String currentFamily;
    private int lineNumber;

    private PrometheusText() {}

    static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a newline");
        }
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            parsed.lineNumber++;
            parsed.line(line);
        }
        parsed.checkHistograms();
        return parsed;
    }

    List<Sample> samples() {
        return samples;
    }

    Map<String, String> types() {
        return types;
    }

    /** The samples named {@code name}. */
    List<Sample> samples(String name) {
        return samples.stream().filter(sample -> sample.name().equals(name)).toList();
    }

    /** The value of the one sample named {@code name} with exactly {@code labels}, or null. */
    Double value(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .map(Sample::value).findFirst().orElse(null);
    }

    private void line(String line) {
        if (line.isEmpty()) {
            throw error("empty line");
        }
        if (line.contains("\r")) {
            throw error("carriage return");
        }
        if (line.startsWith("#")) {
            comment(line);
        } else {
            sample(line);
        }
    }

    private void comment(String line) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 4 || !parts[0].equals("#") || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
            throw error("only '# HELP name text' and '# TYPE name type' comments are expected: " + line);
        }
        String name = parts[2];
        if (!METRIC_NAME.matcher(name).matches()) {
            throw error("bad metric name in " + parts[1] + ": " + name);
        }
        if (finishedFamilies.contains(name) || familiesWithSamples.contains(name)) {
            throw error(parts[1] + " for " + name + " after its samples");
        }
        enterFamily(name);
        if (parts[1].equals("HELP")) {
            if (!helps.add(name)) {
                throw error("second HELP for " + name);
            }
            checkHelpEscapes(parts[3]);
        } else {
            if (types.containsKey(name)) {
                throw error("second TYPE for " + name);
            }
            if (!TYPES.contains(parts[3])) {
                throw error("unknown type " + parts[3]);
            }
            types.put(name, parts[3]);
        }
    }

    private void sample(String line) {
        int at = 0;
        while (at < line.length() && line.charAt(at) != '{' && line.charAt(at) != ' ') {
            at++;
        }
        String name = line.substring(0, at);
        if (!METRIC_NAME.matcher(name).matches()) {
            throw error("bad metric name: " + name);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at = labels(line, at + 1, labels);
        }
        if (at >= line.length() || line.charAt(at) != ' ') {
            throw error("expected a space before the value");
        }
        String[] rest = line.substring(at + 1).split(" ", -1);
        if (rest.length > 2 || !FLOAT.matcher(rest[0]).matches()) {
            throw error("bad value: " + line.substring(at + 1));
        }
        if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
            throw error("bad timestamp: " + rest[1]);
        }
        double value = parseFloat(rest[0]);
        String family = familyOf(name, labels);
        if (!family.equals(currentFamily)) {
            throw error("sample " + name + " outside its family's block (TYPE " + family + " missing or not adjacent)");
        }
        if (!helps.contains(family)) {
            throw error("no HELP for " + family);
        }
        if (types.get(family).equals("counter") && (Double.isNaN(value) || value < 0)) {
            throw error("counter " + name + " is " + rest[0]);
        }
        if (!seriesKeys.add(name + new TreeMap<>(labels))) {
            throw error("duplicate series " + name + labels);
        }
        familiesWithSamples.add(family);
        samples.add(new Sample(name, labels, value));
    }

    /** Parses {@code a="x",b="y"}} from {@code at}; returns the index after the closing brace. */
    private int labels(String line, int at, Map<String, String> labels) {
        while (true) {
            if (at < line.length() && line.charAt(at) == '}') {
                return at + 1;
            }
            int equals = line.indexOf('=', at);
            if (equals < 0) {
                throw error("label without '='");
            }
            String labelName = line.substring(at, equals);
            if (!LABEL_NAME.matcher(labelName).matches() || labelName.startsWith("__")) {
                throw error("bad label name: " + labelName);
            }
            if (equals + 1 >= line.length() || line.charAt(equals + 1) != '"') {
                throw error("label value of " + labelName + " not quoted");
            }
            StringBuilder value = new StringBuilder();
            int i = equals + 2;
            for (; i < line.length() && line.charAt(i) != '"'; i++) {
                char c = line.charAt(i);
                if (c == '\\') {
                    char escaped = i + 1 < line.length() ? line.charAt(++i) : ' ';
                    switch (escaped) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> throw error("bad escape \\" + escaped + " in label " + labelName);
                    }
                } else {
                    value.append(c);
                }
            }
            if (i >= line.length()) {
                throw error("unterminated label value of " + labelName);
            }
            if (labels.put(labelName, value.toString()) != null) {
                throw error("label " + labelName + " twice");
            }
            at = i + 1;
            if (at < line.length() && line.charAt(at) == ',') {
                at++;
            } else if (at >= line.length() || line.charAt(at) != '}') {
                throw error("expected ',' or '}' after label " + labelName);
            }
        }
    }

    /** The family a sample belongs to, checked against the family's type. */
    private String familyOf(String name, Map<String, String> labels) {
        if (currentFamily == null || !types.containsKey(currentFamily)) {
            throw error("sample " + name + " before any TYPE");
        }
        String type = types.get(currentFamily);
        switch (type) {
            case "counter" -> {
                if (!name.equals(currentFamily) || !name.endsWith("_total")) {
                    throw error("counter sample " + name + " must be named like its TYPE, ending in _total");
                }
            }
            case "histogram" -> {
                boolean bucket = name.equals(currentFamily + "_bucket");
                if (!bucket && !name.equals(currentFamily + "_sum") && !name.equals(currentFamily + "_count")) {
                    throw error("histogram sample " + name + " is not _bucket, _sum or _count of " + currentFamily);
                }
                if (bucket != labels.containsKey("le")) {
                    throw error(bucket ? "bucket without le" : "le on a non-bucket sample");
                }
            }
            default -> {
                if (!name.equals(currentFamily)) {
                    throw error(type + " sample " + name + " not named like its TYPE " + currentFamily);
                }
            }
        }
        return currentFamily;
    }

    private void checkHistograms() {
        Map<String, List<Sample>> bySeries = new LinkedHashMap<>();
        for (Sample sample : samples) {
            String family = sample.name().replaceAll("_(bucket|sum|count)$", "");
            if ("histogram".equals(types.get(family))) {
                Map<String, String> rest = new TreeMap<>(sample.labels());
                rest.remove("le");
                bySeries.computeIfAbsent(family + rest, k -> new ArrayList<>()).add(sample);
            }
        }
        bySeries.forEach((series, list) -> {
            double previousBound = Double.NEGATIVE_INFINITY;
            double previousCount = 0;
            Double infinity = null;
            Double count = null;
            boolean sum = false;
            for (Sample sample : list) {
                if (sample.name().endsWith("_bucket")) {
                    String le = sample.labels().get("le");
                    if (!FLOAT.matcher(le).matches()) {
                        throw new IllegalArgumentException(series + ": le=\"" + le + "\" is not a number");
                    }
                    double bound = parseFloat(le);
                    if (bound <= previousBound) {
                        throw new IllegalArgumentException(series + ": bucket bounds not increasing at le=" + le);
                    }
                    if (sample.value() < previousCount) {
                        throw new IllegalArgumentException(series + ": buckets not cumulative at le=" + le);
                    }
                    previousBound = bound;
                    previousCount = sample.value();
                    infinity = bound == Double.POSITIVE_INFINITY ? Double.valueOf(sample.value()) : null;
                } else if (sample.name().endsWith("_count")) {
                    count = sample.value();
                } else {
                    sum = true;
                }
            }
            if (infinity == null) {
                throw new IllegalArgumentException(series + ": the last bucket is not le=\"+Inf\"");
            }
            if (count == null || !sum) {
                throw new IllegalArgumentException(series + ": _count or _sum missing");
            }
            if (count.doubleValue() != infinity.doubleValue()) {
                throw new IllegalArgumentException(series + ": _count " + count + " != +Inf bucket " + infinity);
            }
        });
    }

    private void enterFamily(String name) {
        if (!name.equals(currentFamily)) {
            if (currentFamily != null) {
                finishedFamilies.add(currentFamily);
            }
            currentFamily = name;
        }
    }

    private void checkHelpEscapes(String help) {
        for (int i = 0; i < help.length(); i++) {
            if (help.charAt(i) == '\\') {
                char next = i + 1 < help.length() ? help.charAt(i + 1) : ' ';
                if (next != '\\' && next != 'n') {
                    throw error("bad escape in HELP: \\" + next);
                }
                i++;
            }
        }
    }

    private static double parseFloat(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN", "+NaN", "-NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException("line " + lineNumber + ": " + message);
    }
}
