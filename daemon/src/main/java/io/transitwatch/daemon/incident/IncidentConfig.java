package io.transitwatch.daemon.incident;

import java.time.Duration;

/**
 * Immutable. How alerts roll up into incidents (DESIGN §3.6).
 *
 * @param resolveAfter an incident resolves once matches have resumed and no loss was seen for this long
 * @param updateInterval a firing incident re-announces its counts at most this often, when they changed
 * @param topWorkloads how many workload pairs an incident lists
 */
public record IncidentConfig(Duration resolveAfter, Duration updateInterval, int topWorkloads) {
    public IncidentConfig {
        if (resolveAfter.isNegative() || updateInterval.isNegative() || topWorkloads < 1) {
            throw new IllegalArgumentException("resolveAfter and updateInterval must be >= 0 and topWorkloads >= 1");
        }
    }

    public static IncidentConfig defaults() {
        return new IncidentConfig(Duration.ofSeconds(60), Duration.ofSeconds(30), 5);
    }
}
