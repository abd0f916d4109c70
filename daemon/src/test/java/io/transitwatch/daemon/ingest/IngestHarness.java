package io.transitwatch.daemon.ingest;

import io.grpc.ClientInterceptor;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.testsupport.TestFlows;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.time.Duration;
import java.util.List;

/** A started {@link HubbleIngest} whose ring the test thread drains through a {@link RingCollector}. */
final class IngestHarness implements AutoCloseable {
    final StringDictionary dictionary = new StringDictionary(4096);
    final HubbleIngest ingest;
    final RingCollector collector;

    IngestHarness(IngestConfig config, ClientInterceptor... interceptors) {
        this(config, Clock.SYSTEM, interceptors);
    }

    /** The ingest on {@code clock} (the daemon's clock: receive times, NODE_UP/NODE_DOWN times, straggler windows). */
    IngestHarness(IngestConfig config, Clock clock, ClientInterceptor... interceptors) {
        this.ingest = new HubbleIngest(fast(config), dictionary, clock, NamedThreadFactory::daemon, List.of(interceptors));
        this.collector = new RingCollector(ingest.ring(), dictionary);
        ingest.start();
    }

    /** Short backoff so reconnects happen promptly in tests. */
    static IngestConfig fast(IngestConfig config) {
        return config.withBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    NodeIngestState node(String name) {
        return ingest.state().node(name);
    }

    /** Waits until {@code server} has received {@code count} GetFlows requests: only then does emitting reach the stream. */
    void awaitSubscribed(FakeHubbleServer server, int count) {
        collector.awaitUntil(server.address() + " subscribed", () -> server.requests.size() >= count);
    }

    /** Emits {@code count} SYNs from {@code node} at {@code startNanos}, 1 ms apart; returns them. */
    static List<GetFlowsResponse> emitFlows(FakeHubbleServer server, String node, long startNanos, int count) {
        List<GetFlowsResponse> sent = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            GetFlowsResponse response = TestFlows.response(
                    TestFlows.syn(node, startNanos + i * 1_000_000L, 30_000 + i).build());
            server.emit(response);
            sent.add(response);
        }
        return sent;
    }

    @Override
    public void close() {
        ingest.close();
    }
}
