package io.transitwatch.daemon.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the way Kubernetes and Go tools write them ({@code 5s}, {@code 250ms}, {@code 2m},
 * {@code 4h}, {@code 1h30m}), or ISO-8601 ({@code PT5S}) for those who prefer it.
 */
final class DurationType implements ValueType<Duration> {
    private static final String FIX = "write it like 5s, 250ms or 2m";
    private static final Pattern SHORT_FORM = Pattern.compile("(?:\\d+(?:ms|s|m|h))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final boolean zeroAllowed;

    private DurationType(boolean zeroAllowed) {
        this.zeroAllowed = zeroAllowed;
    }

    static DurationType positive() {
        return new DurationType(false);
    }

    /** For delays where 0 means "not at all" (e.g. no backfill overlap). */
    static DurationType nonNegative() {
        return new DurationType(true);
    }

    @Override
    public String describe() {
        return zeroAllowed ? "duration >= 0" : "duration > 0";
    }

    @Override
    public Duration parse(Object given) throws InvalidValue {
        String text = InvalidValue.scalarText(given, "a duration", FIX);
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            // YAML reads `window: 5` as a number: the unit is the likely omission, not the value.
            throw InvalidValue.of(given, "has no unit; write it like " + text + "s or " + text + "ms");
        }
        Duration value = parseText(text);
        if (value == null) {
            throw InvalidValue.of(given, "is not a duration; " + FIX);
        }
        if (value.isNegative() || (value.isZero() && !zeroAllowed)) {
            throw InvalidValue.of(given, zeroAllowed ? "must not be negative" : "must be longer than 0; " + FIX);
        }
        return value;
    }

    @Override
    public Object toPlain(Duration value) {
        return format(value);
    }

    /** The duration, or null when the text is not one. */
    static Duration parseText(String text) {
        if (text.startsWith("P") || text.startsWith("p") || text.startsWith("-P")) {
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        if (!SHORT_FORM.matcher(text).matches()) {
            return null;
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(text);
        try {
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(unit(part.group(2)).multipliedBy(amount));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
        return total;
    }

    /** The shortest short form: 4h, 10m, 90s, 250ms; ISO-8601 for the rare sub-millisecond value. */
    static String format(Duration value) {
        if (value.getNano() % 1_000_000 != 0 || value.isNegative()) {
            return value.toString();
        }
        long millis = value.toMillis();
        if (millis == 0) {
            return "0s";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }

    private static Duration unit(String suffix) {
        switch (suffix) {
            case "ms": return Duration.ofMillis(1);
            case "s": return Duration.ofSeconds(1);
            case "m": return Duration.ofMinutes(1);
            default: return Duration.ofHours(1);
        }
    }
}
