package io.transitwatch.daemon.http;

import java.util.List;
import java.util.function.Supplier;

/**
 * Thread-safe: read on an HTTP request thread while the role's own threads run; implementations
 * read volatile or atomic state only.
 *
 * <p>What a role of the scaled mode ({@code collect}, {@code correlate}, {@code incidents}) shows on
 * its HTTP port (see {@link RoleEndpoint}): whether it works, whether it is ready, and its counters.
 */
public interface RoleView {
    /** Why the role does not work, or null while it does (liveness). */
    String notLiveReason();

    /** Why the role is not ready, or null when it is (readiness). */
    String notReadyReason();

    /** Its metrics, read now. */
    List<RoleMetric> metrics();

    /**
     * One sample: a counter (exported with {@code _total}, which {@code name} leaves out) or a gauge;
     * a gauge whose value is not known yet is NaN.
     */
    record RoleMetric(String name, String help, boolean counter, double value) {
        public static RoleMetric counter(String name, String help, long value) {
            return new RoleMetric(name, help, true, value);
        }

        public static RoleMetric gauge(String name, String help, double value) {
            return new RoleMetric(name, help, false, value);
        }
    }

    static RoleView of(Supplier<String> notLiveReason, Supplier<String> notReadyReason,
            Supplier<List<RoleMetric>> metrics) {
        return new RoleView() {
            @Override
            public String notLiveReason() {
                return notLiveReason.get();
            }

            @Override
            public String notReadyReason() {
                return notReadyReason.get();
            }

            @Override
            public List<RoleMetric> metrics() {
                return metrics.get();
            }
        };
    }
}
