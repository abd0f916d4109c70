package io.transitwatch.sinks.slack;

import java.time.Duration;

/**
 * Immutable settings of the {@link SlackSink}. Timing follows Alertmanager's routing settings.
 *
 * @param groupWait         how long a new (source node, destination node, family) group waits
 *                          before its first notification, so a burst becomes one message; default 30 s
 * @param groupInterval     how long after a notification a group's changes are sent; default 5 min
 * @param repeatInterval    how long after a notification a still-firing incident is sent again
 *                          although nothing changed; default 4 h
 * @param messagesPerSecond sustained message rate (Slack allows about one per second per
 *                          webhook); default 1
 * @param burst             messages that may go out back to back before the rate applies; default 3
 * @param requestTimeout    limit for one HTTP request, connect included; default 10 s
 * @param maxAttempts       tries per message (429 and 5xx and I/O errors are retried); default 6
 * @param initialBackoff    wait after the first 5xx or I/O error, doubled each time; default 1 s
 * @param maxBackoff        cap of that wait; default 60 s
 * @param maxIdleWait       longest sleep of the notifier thread between looks at the clock, so a
 *                          clock step (NTP) delays nothing by more than this; default 1 s
 * @param maxGroups         groups tracked at most; events of further node pairs are counted and
 *                          ignored; default 10 000
 * @param title             header of every message, e.g. naming the cluster; default "TransitWatch"
 */
public record SlackSinkConfig(
        Duration groupWait,
        Duration groupInterval,
        Duration repeatInterval,
        double messagesPerSecond,
        int burst,
        Duration requestTimeout,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration maxIdleWait,
        int maxGroups,
        String title) {

    public SlackSinkConfig {
        requireNotNegative("groupWait", groupWait);
        requirePositive("groupInterval", groupInterval);
        requirePositive("repeatInterval", repeatInterval);
        if (!(messagesPerSecond > 0)) {
            throw new IllegalArgumentException("messagesPerSecond must be > 0, was " + messagesPerSecond);
        }
        requireAtLeastOne("burst", burst);
        requirePositive("requestTimeout", requestTimeout);
        requireAtLeastOne("maxAttempts", maxAttempts);
        requirePositive("initialBackoff", initialBackoff);
        requirePositive("maxBackoff", maxBackoff);
        requirePositive("maxIdleWait", maxIdleWait);
        requireAtLeastOne("maxGroups", maxGroups);
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("title must not be blank");
        }
    }

    public static SlackSinkConfig defaults() {
        return new SlackSinkConfig(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), 1.0, 3,
                Duration.ofSeconds(10), 6, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(1),
                10_000, "TransitWatch");
    }

    public SlackSinkConfig withGrouping(Duration wait, Duration interval, Duration repeat) {
        return new SlackSinkConfig(wait, interval, repeat, messagesPerSecond, burst, requestTimeout, maxAttempts,
                initialBackoff, maxBackoff, maxIdleWait, maxGroups, title);
    }

    public SlackSinkConfig withRate(double perSecond, int burstSize) {
        return new SlackSinkConfig(groupWait, groupInterval, repeatInterval, perSecond, burstSize, requestTimeout,
                maxAttempts, initialBackoff, maxBackoff, maxIdleWait, maxGroups, title);
    }

    public SlackSinkConfig withRetries(int attempts, Duration initial, Duration max) {
        return new SlackSinkConfig(groupWait, groupInterval, repeatInterval, messagesPerSecond, burst, requestTimeout,
                attempts, initial, max, maxIdleWait, maxGroups, title);
    }

    public SlackSinkConfig withRequestTimeout(Duration timeout) {
        return new SlackSinkConfig(groupWait, groupInterval, repeatInterval, messagesPerSecond, burst, timeout,
                maxAttempts, initialBackoff, maxBackoff, maxIdleWait, maxGroups, title);
    }

    public SlackSinkConfig withMaxIdleWait(Duration wait) {
        return new SlackSinkConfig(groupWait, groupInterval, repeatInterval, messagesPerSecond, burst, requestTimeout,
                maxAttempts, initialBackoff, maxBackoff, wait, maxGroups, title);
    }

    public SlackSinkConfig withTitle(String text) {
        return new SlackSinkConfig(groupWait, groupInterval, repeatInterval, messagesPerSecond, burst, requestTimeout,
                maxAttempts, initialBackoff, maxBackoff, maxIdleWait, maxGroups, text);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    private static void requireNotNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }

    private static void requireAtLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
    }
}
