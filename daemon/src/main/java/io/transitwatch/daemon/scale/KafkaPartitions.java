package io.transitwatch.daemon.scale;

import org.apache.kafka.common.utils.Utils;

/**
 * Stateless. The partition Kafka's Java producer picks for a keyed record when no partitioner is
 * configured ({@code BuiltInPartitioner.partitionForKey}): murmur2 of the key bytes, made positive,
 * modulo the partition count. The collector pins the default partitioner; this is how a correlator
 * checks that a record arrived where its key says, and how tests predict placement.
 */
public final class KafkaPartitions {
    private KafkaPartitions() {}

    /** Partition of {@code key} among {@code partitions}. */
    public static int of(byte[] key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }
}
