package io.transitwatch.daemon.sim.hubble;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Thread-safe. The open {@code GetFlows} streams of the simulator, woken after every traffic tick so
 * that they send what the tick recorded (or, for Relay, what its sort buffer may now release).
 */
public final class ActiveStreams {
    private final Set<FlowStreamPump> pumps = new CopyOnWriteArraySet<>();

    void add(FlowStreamPump pump) {
        pumps.add(pump);
    }

    void remove(FlowStreamPump pump) {
        pumps.remove(pump);
    }

    public void signalAll() {
        for (FlowStreamPump pump : pumps) {
            pump.signal();
        }
    }

    /** Ends every open call of {@code owner} with {@code status}, e.g. UNAVAILABLE when its server stops. */
    public void abort(String owner, io.grpc.Status status) {
        for (FlowStreamPump pump : pumps) {
            if (pump.owner().equals(owner)) {
                pump.abort(status);
            }
        }
    }

    /** Whether {@code owner} still has open calls. */
    public boolean hasOpen(String owner) {
        return pumps.stream().anyMatch(p -> p.owner().equals(owner));
    }

    public int size() {
        return pumps.size();
    }
}
