package io.transitwatch.daemon.scale;

import static io.transitwatch.daemon.scale.EventRecordFormat.OFF_KIND;
import static io.transitwatch.daemon.scale.EventRecordFormat.TYPE_EVENT;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.List;

/**
 * Single-threaded: owned by the correlator thread the partition is assigned to.
 *
 * <p>One event-topic partition as {@code transitwatch correlate} holds it (DESIGN §8): its
 * {@link PartitionJoin}, the {@link OutputGate} of its alerts and the {@link PairCountDeltas} of its
 * verdicts. A partition is rebuilt on assignment by replaying the topic from {@code W + grace + skew}
 * back; the previous owner already published what the records before its committed offset decided,
 * so the gate stays closed until the first record at or after that offset ({@code liveFrom}) is read.
 * The join decides right after each heartbeat (the only record that moves the partition's time), so
 * a replay decides at the same records the previous owner did.
 */
public final class CorrelatedPartition {
    private final int partition;
    private final PartitionJoin join;
    private final OutputGate gate;
    private final PairCountDeltas counts;
    private final long liveFrom;
    private long nextOffset;
    /** Kafka timestamp (ms) of the last record read, or -1: where the committed position stands in time. */
    private long readUpToMillis = -1;
    private long goneNoted;
    private long restartsNoted;

    /**
     * @param startOffset the first offset that will be read (the replay's start)
     * @param liveFrom the committed offset: what is decided from it on is published
     */
    public CorrelatedPartition(int partition, PartitionJoin join, OutputGate gate, PairCountDeltas counts,
            long startOffset, long liveFrom) {
        this.partition = partition;
        this.join = join;
        this.gate = gate;
        this.counts = counts;
        this.liveFrom = liveFrom;
        this.nextOffset = startOffset;
        if (startOffset >= liveFrom) {
            open();
        }
    }

    /**
     * The latest status of a node from the observers topic, fed before the replay: a node whose stream
     * went down before the replay's start is down in the rebuilt join too (its NODE_DOWN is not among
     * the replayed records). Other kinds are ignored: the replay carries what happened since.
     */
    public void seedStatus(byte[] value, long nowNanos) {
        if (value != null && value.length > OFF_KIND && value[1] == TYPE_EVENT && value[OFF_KIND] == NodeEvent.NODE_DOWN) {
            join.onRecord(value, nowNanos);
        }
    }

    /** The record at {@code offset}, with its Kafka timestamp, read at wall-clock {@code nowNanos}. */
    public void onRecord(long offset, long timestampMillis, byte[] value, long nowNanos) {
        readUpToMillis = Math.max(readUpToMillis, timestampMillis);
        if (!gate.isOpen() && offset >= liveFrom) {
            open();
        }
        if (join.onRecord(value, nowNanos) == EventRecordReader.HEARTBEAT) {
            join.advance(nowNanos);
        }
        nextOffset = offset + 1;
    }

    /** Retires silent collectors (wall clock) and decides what the partition's time allows. */
    public void advance(long nowNanos) {
        join.advance(nowNanos);
    }

    /** Adds the pair counts decided since the last call (nothing while muted). */
    public void collectCounts(List<PairCount> out) {
        if (gate.isOpen()) {
            counts.collect(out);
        }
    }

    /** The offset to commit with this transaction: the next one to read, or -1 while still replaying before the committed one. */
    public long commitOffset() {
        return gate.isOpen() && nextOffset > liveFrom ? nextOffset : -1;
    }

    /** Collectors declared gone here since the last call; 0 for those found while replaying muted (not news). */
    public long newlyGoneCollectors() {
        long total = join.collectorsGone();
        long fresh = gate.isOpen() ? total - goneNoted : 0;
        goneNoted = total;
        return fresh;
    }

    /** The collector declared gone here last, for the warning (see {@link PartitionJoin#lastGoneCollector()}). */
    public String lastGoneCollector() {
        return join.lastGoneCollector();
    }

    /** Collector restarts seen here since the last call; 0 for those found while replaying muted. */
    public long newlyRestartedCollectors() {
        long total = join.collectorRestarts();
        long fresh = gate.isOpen() ? total - restartsNoted : 0;
        restartsNoted = total;
        return fresh;
    }

    /**
     * The Kafka timestamp (ms) of the newest record read so far, or -1: committed with the offset, so
     * that the next owner replays from {@code W + grace + skew} before it rather than before its own
     * wall clock (a group catching up on a backlog reads records older than that).
     */
    public long readUpToMillis() {
        return readUpToMillis;
    }

    public int partition() {
        return partition;
    }

    public boolean live() {
        return gate.isOpen();
    }

    public PartitionJoin join() {
        return join;
    }

    public OutputGate gate() {
        return gate;
    }

    private void open() {
        counts.baseline(); // what the replay counted was counted by the previous owner
        gate.open();
    }
}
