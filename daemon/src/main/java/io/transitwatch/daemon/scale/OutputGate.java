package io.transitwatch.daemon.scale;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.SinkEvent;
import java.util.function.Consumer;

/**
 * Single-threaded: called by the correlator thread that owns the partition (the join's thread).
 *
 * <p>What one partition's join says, on its way to the correlator's transaction: alerts pass once
 * the gate is open; while it is closed (the partition is replayed up to the offset the previous
 * owner committed, whose alerts are already in Kafka) they are counted and dropped. Incident changes
 * of the partition's own tracker never pass: in scaled mode incidents are the incident stage's,
 * built from every partition's alerts and pair counts.
 */
public final class OutputGate implements Consumer<SinkEvent> {
    private final Consumer<Alert> alerts;
    private boolean open;
    private long muted;

    /** @param alerts where alerts go once the gate is open (the correlator's transaction buffer) */
    public OutputGate(Consumer<Alert> alerts) {
        this.alerts = alerts;
    }

    @Override
    public void accept(SinkEvent event) {
        if (!(event instanceof Alert alert)) {
            return;
        }
        if (!open) {
            muted++;
            return;
        }
        alerts.accept(alert);
    }

    void open() {
        open = true;
    }

    public boolean isOpen() {
        return open;
    }

    /** Alerts dropped while replaying what the previous owner had already published. */
    public long muted() {
        return muted;
    }
}
