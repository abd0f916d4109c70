package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.MethodDescriptor;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.testsupport.TestFlows;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A fast server and a consumer that drains slowly: the ingest requests no more than the ring can
 * hold, the server sees back-pressure, and memory does not grow with the amount sent. Memory is
 * judged by what holds messages, not by the heap: every message the server generated and the
 * consumer has not consumed yet is in the HTTP/2 window, requested (held by a flow permit) or in
 * the ring, and each of those is sampled against its bound throughout, far below the amount sent.
 */
class SlowConsumerIT {
    private static final int RING = 1024;
    private static final long MESSAGES = 150_000;
    private static final long T0 = 1_795_274_640_000_000_000L;

    /** Sums every request(n) the ingest makes on GetFlows calls. */
    private static final class RequestCounter implements ClientInterceptor {
        final AtomicLong requested = new AtomicLong();

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void request(int count) {
                    requested.addAndGet(count);
                    super.request(count);
                }
            };
        }
    }

    @Test
    void aSlowConsumerPushesBackOnTheServerAndMemoryStaysBounded() throws Exception {
        GetFlowsResponse template = TestFlows.response(TestFlows.syn("solwk01", T0, 1).build());
        int messageBytes = template.getSerializedSize();
        try (FakeHubbleServer server = FakeHubbleServer.start(null)) {
            server.generateCount = MESSAGES;
            server.generator = i -> TestFlows.response(TestFlows.syn("solwk01", T0 + i, (int) (i & 0xffff)).build());
            RequestCounter counter = new RequestCounter();
            try (IngestHarness harness = new IngestHarness(IngestConfig.staticNodes(
                    List.of(new IngestConfig.StaticNode("solwk01", server.address()))).withRing(RING, 512), counter)) {
                HandoffRing ring = harness.ingest.ring();
                long transportSlack = (HubbleChannels.flowControlWindowBytes() + (64 << 10)) / messageBytes;
                long[] consumed = {0};
                long maxRequestedAhead = 0;
                long maxGeneratedAhead = 0;
                long maxFillLevel = 0;
                long maxPermitsHeld = 0;
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (consumed[0] < MESSAGES && System.nanoTime() < deadline) {
                    ring.poll((event, end) -> {
                        if (event.kind == NodeEvent.FLOW) {
                            consumed[0]++;
                        }
                    }, 64);
                    maxRequestedAhead = Math.max(maxRequestedAhead, counter.requested.get() - consumed[0]);
                    maxGeneratedAhead = Math.max(maxGeneratedAhead, server.generated.get() - consumed[0]);
                    maxFillLevel = Math.max(maxFillLevel, ring.fillLevel());
                    maxPermitsHeld = Math.max(maxPermitsHeld, ring.flowPermitCapacity() - ring.availableFlowPermits());
                    Thread.sleep(1); // the slow consumer
                }

                assertEquals(MESSAGES, consumed[0], "every message arrives");
                assertTrue(maxRequestedAhead <= ring.capacity(),
                        "requested ahead of consumption: " + maxRequestedAhead + " > ring " + ring.capacity());
                assertTrue(maxGeneratedAhead <= ring.capacity() + transportSlack,
                        "server ran ahead by " + maxGeneratedAhead + " > ring + HTTP/2 window " + (ring.capacity() + transportSlack));
                assertTrue(server.sawNotReady.get(), "the server saw isReady() == false");
                assertTrue(ring.creditWaits() > 0, "the stream waited for credit");
                assertTrue(maxFillLevel <= ring.capacity(), "ring fill level " + maxFillLevel + " > " + ring.capacity());
                assertTrue(maxPermitsHeld <= ring.flowPermitCapacity(),
                        "flow permits held " + maxPermitsHeld + " > " + ring.flowPermitCapacity());
                // What is in flight is bounded by the ring and the transport window, not by the amount sent.
                assertTrue(ring.capacity() + transportSlack < MESSAGES / 10,
                        "the bounds are far below the " + MESSAGES + " messages sent");
            }
        }
    }
}
