package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.handoff.NodeEvent;
import org.junit.jupiter.api.Test;

class WrittenFlowsTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long MARGIN = 1_000 * MS;
    private static final int QUIET = 1;
    private static final int BUSY = 2;

    private final long[] newest = new long[8];
    private final int[] shardOf = {0, 1, 2, 0, 0, 0, 0, 0}; // node 1: shard 0, node 2: shard 1
    private final long[] rewriting = new long[8];
    private final WrittenFlows written = new WrittenFlows(MARGIN, 64);

    /**
     * A node quiet in this partition for long: the busy node's flows push its last prints out of the
     * fixed ring (which never grows). At its collector's restart, its last margin cannot be told apart:
     * the re-read there is dropped and reported as uncertain (the caller's GAP), never fed twice.
     */
    @Test
    void shouldReportWhatItForgotOfAQuietNodeAsUncertainInsteadOfGrowing() {
        flow(QUIET, T0, 1);
        for (int i = 0; i < 1000; i++) {
            flow(BUSY, T0 + i * MS, 2 + i);
        }
        assertEquals(64, written.ringCapacity());
        written.collectorRestarted(0, shardOf, newest, rewriting);
        assertEquals(T0, written.uncertainUpTo(QUIET));
        assertTrue(written.isRewritten(event(QUIET, T0, 1), newest[QUIET]));
        assertFalse(written.isRewritten(event(QUIET, T0 + 1, 1), newest[QUIET]), "newer than anything written");
    }

    @Test
    void shouldTellWrittenFromUnwrittenFlowsWithinTheMargin() {
        flow(QUIET, T0, 1);
        flow(QUIET, T0 + 500 * MS, 3);
        written.collectorRestarted(0, shardOf, newest, rewriting);
        assertEquals(0, written.uncertainUpTo(QUIET));
        assertTrue(written.isRewritten(event(QUIET, T0, 1), newest[QUIET]));
        assertFalse(written.isRewritten(event(QUIET, T0 + 250 * MS, 2), newest[QUIET]), "never written");
        assertTrue(written.isRewritten(event(QUIET, T0 + 500 * MS, 3), newest[QUIET]));
        assertTrue(written.isRewritten(event(QUIET, T0 - 2 * MARGIN, 9), newest[QUIET]), "older than the margin");
    }

    /** A second collector's restart keeps the prints of the first one's re-read still under way. */
    @Test
    void shouldKeepTheFirstRestartsPrintsWhenASecondCollectorRestarts() {
        flow(QUIET, T0, 1);
        flow(BUSY, T0, 1);
        written.collectorRestarted(0, shardOf, newest, rewriting);
        rewriting[QUIET] = newest[QUIET];
        written.collectorRestarted(1, shardOf, newest, rewriting);
        assertTrue(written.isRewritten(event(QUIET, T0, 1), newest[QUIET]));
        assertTrue(written.isRewritten(event(BUSY, T0, 1), newest[BUSY]));
        assertEquals(2, written.rewrittenCount());
    }

    private void flow(int node, long time, int port) {
        NodeEvent flow = event(node, time, port);
        newest[node] = Math.max(newest[node], time);
        written.remember(flow, newest);
    }

    private static NodeEvent event(int node, long time, int port) {
        NodeEvent flow = new NodeEvent();
        flow.clear();
        flow.kind = NodeEvent.FLOW;
        flow.node = node;
        flow.timeNanos = time;
        flow.srcLo = 0x0a000105L;
        flow.dstLo = 0x0a000207L;
        flow.srcPort = port;
        flow.dstPort = 8080;
        return flow;
    }
}
