package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.join.JoinConfig;
import org.junit.jupiter.api.Test;

class PartitionShareTest {

    @Test
    void aPartitionGetsTwiceItsEvenShareAsAPowerOfTwo() {
        assertEquals(4096, PartitionShare.share(65536, 48)); // 2731 rounded up
        assertEquals(16384, PartitionShare.share(65536, 12)); // exactly 2 × 65536 / 12 = 10923, rounded up
        assertEquals(8192, PartitionShare.share(65536, 16)); // already a power of two
    }

    @Test
    void theShareStaysWithinTheFloorAndTheWhole() {
        assertEquals(PartitionShare.MIN_SHARE, PartitionShare.share(65536, 4096));
        assertEquals(65536, PartitionShare.share(65536, 2)); // twice half is the whole
        assertEquals(512, PartitionShare.share(512, 12)); // never more than configured
    }

    @Test
    void nodesAndPairsStayWholeAndOnePartitionIsTheWholeJoin() {
        JoinConfig whole = JoinConfig.defaults();
        JoinConfig share = PartitionShare.of(whole, 48);
        assertEquals(PartitionShare.share(whole.pendingCapacity(), 48), share.pendingCapacity());
        assertEquals(PartitionShare.share(whole.arrivalCapacity(), 48), share.arrivalCapacity());
        assertEquals(PartitionShare.share(whole.lostHistoryCapacity(), 48), share.lostHistoryCapacity());
        assertEquals(whole.maxNodes(), share.maxNodes());
        assertEquals(whole.maxPairs(), share.maxPairs());
        assertEquals(whole, PartitionShare.of(whole, 1));
    }
}
