package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShardAssignmentTest {

    @Test
    void shouldGiveEveryNodeToExactlyOneShardAndSpreadThem() {
        int shards = 4;
        int[] owned = new int[shards];
        for (int n = 0; n < 5000; n++) {
            String node = "node-" + n;
            int owners = 0;
            for (int shard = 0; shard < shards; shard++) {
                if (new ShardAssignment(shards, shard).owns(node)) {
                    owners++;
                    owned[shard]++;
                }
            }
            assertEquals(1, owners, node);
        }
        for (int count : owned) {
            assertTrue(count > 1000 && count < 1500, "uneven: " + java.util.Arrays.toString(owned));
        }
    }

    @Test
    void shouldMoveOnlyTheNodesTheNewShardWinsWhenAShardIsAdded() {
        long moved = IntStream.range(0, 5000).mapToObj(n -> "node-" + n)
                .filter(node -> ShardAssignment.ownerOf(node, 4) != ShardAssignment.ownerOf(node, 5))
                .peek(node -> assertEquals(4, ShardAssignment.ownerOf(node, 5), node + " moved between old shards"))
                .count();
        assertTrue(moved > 800 && moved < 1200, "about a fifth should move to the new shard: " + moved);
    }

    @Test
    void shouldReadTheStatefulSetOrdinal() {
        assertEquals(OptionalInt.of(2), ShardAssignment.ordinalOf("transitwatch-collector-2"));
        assertEquals(OptionalInt.of(0), ShardAssignment.ordinalOf("tw-collect-0\n"));
        assertEquals(OptionalInt.empty(), ShardAssignment.ordinalOf("laptop"));
        assertEquals(OptionalInt.empty(), ShardAssignment.ordinalOf(null));
        assertEquals(OptionalInt.empty(), ShardAssignment.ordinalOf("pod-99999999999"));
    }

    @Test
    void shouldNameTheKeysOfABadShardIndex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ShardAssignment(2, 2));
        assertTrue(e.getMessage().contains("scale.shard-index") && e.getMessage().contains("scale.shards"), e.getMessage());
    }
}
