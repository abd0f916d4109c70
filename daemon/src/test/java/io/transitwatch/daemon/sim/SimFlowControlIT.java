package io.transitwatch.daemon.sim;

import static io.transitwatch.daemon.sim.SimTestSupport.T0;
import static io.transitwatch.daemon.sim.SimTestSupport.advance;
import static io.transitwatch.daemon.sim.SimTestSupport.await;
import static io.transitwatch.daemon.sim.SimTestSupport.close;
import static io.transitwatch.daemon.sim.SimTestSupport.plaintext;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.proto.flow.LostEventSource;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.ObserverGrpc;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client that stops reading pushes back; the server keeps a bounded backlog and reports what it skipped. */
class SimFlowControlIT {
    private static final int RING = 512;
    /** Events per node the simulator keeps for emittedEvents: enough to find the newest flow. */
    private static final int LOG = 64;

    @Test
    void shouldReportRingBufferLossToAStalledClientInsteadOfBuffering() throws InterruptedException {
        ManualClock clock = new ManualClock(T0);
        Scenario busy = Scenario.builder().name("busy").connectionsPerSecond(2000).build();
        try (Simulator sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).scenario(busy)
                .clock(clock).trafficThread(false).ringCapacity(RING).eventLogCapacity(LOG).build())) {
            ManagedChannel channel = plaintext(sim.nodeTargets().get("solwk02"));
            try {
                FlowCollector stalled = new FlowCollector(true);
                ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setFollow(true).build(), stalled);
                await("the stream to start", () -> {
                    advance(sim, clock, Duration.ofMillis(10));
                    return !stalled.received().isEmpty();
                });
                long baseline = sim.eventCounts("solwk02").flows();

                for (int i = 0; i < 24; i++) { // ~20k events on this node, far more than transport buffers + ring
                    advance(sim, clock, Duration.ofMillis(250));
                }
                long emitted = sim.eventCounts("solwk02").flows() - baseline;
                assertTrue(emitted > 10_000, "emitted " + emitted);

                // The clock is frozen from here on: the node's ring no longer changes, and its cursor
                // reads it in order, so once the newest flow in it has arrived the stream has sent all
                // it ever will (every later entry was skipped as lost or is not a flow).
                String newest = newestFlowUuid(sim, "solwk02");
                stalled.requestAll();
                await("the stalled client to catch up to the newest flow " + newest,
                        () -> stalled.count(r -> r.hasFlow() && r.getFlow().getUuid().equals(newest)) == 1);
                long lost = lost(stalled);
                long flows = stalled.count(GetFlowsResponse::hasFlow);
                assertTrue(flows + lost >= emitted, "every event is either delivered or counted as lost");
                assertTrue(lost > emitted / 2, "most of the backlog was skipped, not buffered: lost " + lost);
                assertTrue(flows < emitted / 2, "delivered " + flows + " of " + emitted);
                stalled.cancel();
            } finally {
                close(channel);
            }
        }
    }

    private static long lost(FlowCollector collector) {
        return collector.received().stream().filter(GetFlowsResponse::hasLostEvents)
                .filter(r -> r.getLostEvents().getSource() == LostEventSource.HUBBLE_RING_BUFFER)
                .mapToLong(r -> r.getLostEvents().getNumEventsLost()).sum();
    }

    private static String newestFlowUuid(Simulator sim, String node) {
        List<GetFlowsResponse> recent = sim.emittedEvents(node);
        for (int i = recent.size() - 1; i >= 0; i--) {
            if (recent.get(i).hasFlow()) {
                return recent.get(i).getFlow().getUuid();
            }
        }
        throw new AssertionError(node + " emitted no flow among its last " + recent.size() + " events");
    }
}
