package io.transitwatch.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

/** Where a rebuilt partition's replay reaches back from: the committed position's time, when the committer said it. */
class CorrelatorReplayStartTest {

    @Test
    void theCommittedPositionsTimeComesFromTheOffsetMetadata() {
        assertEquals(1_764_950_400_123L, Correlator.readUpTo(new OffsetAndMetadata(42, "read-up-to-ms=1764950400123")));
    }

    @Test
    void withoutItTheReplayReachesBackFromNow() {
        assertEquals(Long.MAX_VALUE, Correlator.readUpTo(null));
        assertEquals(Long.MAX_VALUE, Correlator.readUpTo(new OffsetAndMetadata(42)));
        assertEquals(Long.MAX_VALUE, Correlator.readUpTo(new OffsetAndMetadata(42, "written by someone else")));
        assertEquals(Long.MAX_VALUE, Correlator.readUpTo(new OffsetAndMetadata(42, "read-up-to-ms=soon")));
        assertEquals(Long.MAX_VALUE, Correlator.readUpTo(new OffsetAndMetadata(42, "read-up-to-ms=-1")));
    }
}
