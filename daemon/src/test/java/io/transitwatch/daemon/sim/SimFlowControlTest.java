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
import org.junit.jupiter.api.Test;

/** A client that stops reading pushes back; the server keeps a bounded backlog and reports what it skipped. */
class SimFlowControlTest {
    private static final int RING = 512;

    @Test
    void shouldReportRingBufferLossToAStalledClientInsteadOfBuffering() throws InterruptedException {
        ManualClock clock = new ManualClock(T0);
        Scenario busy = Scenario.builder().name("busy").connectionsPerSecond(2000).build();
        try (Simulator sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).scenario(busy)
                .clock(clock).trafficThread(false).ringCapacity(RING).eventLogCapacity(0).build())) {
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

                stalled.requestAll();
                await("the stalled client to catch up", () -> lost(stalled) > 0 && quiet(stalled));
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

    private static boolean quiet(FlowCollector collector) throws RuntimeException {
        int before = collector.received().size();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return collector.received().size() == before;
    }
}
