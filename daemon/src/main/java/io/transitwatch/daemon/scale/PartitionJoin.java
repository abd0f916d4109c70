package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.join.JoinDutyCycle;
import io.transitwatch.daemon.join.JoinEngine;
import java.util.Arrays;

/**
 * Single-threaded: every method is called by the correlator thread that owns the partition.
 *
 * <p>The join of one event-topic partition (DESIGN §8): the single-process {@link JoinEngine},
 * unchanged, fed with the partition's records, and driven on the partition's own time instead of the
 * wall clock. That time is the <b>frontier</b>: the lowest watermark heartbeat of the collectors
 * writing to the partition, i.e. the collector-clock instant before which everything received has
 * been read here. The join runs as the single process does with its hand-off ring drained at that
 * instant ("caught up"), so a departure is decided only when the heartbeat of the collector owning
 * its destination, in this partition, has passed {@code t + W}, and a silent but heart-beating
 * partition still moves on.
 *
 * <p>A collector whose watermark falls behind the newest watermark in the partition by more than the
 * collector timeout (the others kept writing, it did not) leaves the frontier, and its nodes seen in
 * this partition get a NODE_DOWN at their last watermark: what they were waiting on turns UNVERIFIED,
 * never LOST. Measured on the collectors' own watermarks, not on when the records were read, the
 * silence is the same in a replay as it was live, and a correlator cut off from the broker, or
 * reading a backlog, declares no collector gone: all of them fall silent, or none. Its next heartbeat
 * within the timeout of the newest brings them back (NODE_UP without backfill: what the outage held
 * is unknown).
 *
 * <p>A <b>broker outage</b> holds every collector's records alike, but when it ends each producer
 * delivers what it held at its own moment: one collector's backlog, heartbeats up to the end of the
 * outage included, can stand in the partition before another's, which then looks silent for the
 * whole outage. So a collector's heartbeat says since when its records to this partition have been
 * undelivered, when they have been for a while ({@link EventPublisher#UNDELIVERED_AFTER_NANOS}), and
 * another collector whose silence began no more than the timeout before that counts as silent only
 * from that heartbeat's watermark on: the outage, not the collector, explains the silence until then.
 *
 * <p>A collector that <b>restarted</b> (its heartbeat sequence starts again: a new process, the same
 * shard) gets the same NODE_DOWN at its last watermark, whether or not it was declared gone meanwhile,
 * and no NODE_UP from the heartbeat: the new process writes its first heartbeat before any of its
 * streams is open, so its watermark does not yet cover its nodes' events. Each node comes back with
 * the NODE_UP its new stream writes; the new process resumes each stream from its predecessor's last
 * watermark with Hubble's backfill, so that NODE_UP covers the outage as a reconnect of the single
 * process does, and what the ring no longer held is a GAP there. Without the NODE_DOWN, that first
 * heartbeat would pass departures to the collector's nodes whose arrivals were still to be re-read:
 * false LOST. The re-read includes what the old process had already written. Fed again, a departure
 * whose arrival was already matched would be LOST, so the new process's flows of each node up to the
 * node's newest flow here are dropped when the old process wrote them: all of those older than that
 * newest flow by more than {@link #REORDER_MARGIN_NANOS} (in this partition the old process wrote
 * each node's flows in Hubble's order, which is time order up to that margin, and the idempotent
 * producer loses only a tail), and within the margin exactly those whose print it wrote
 * ({@link WrittenFlows}; where its fixed ring had forgotten prints still needed, those flows are
 * dropped unseen and the span is declared a GAP). The new stream's NODE_UP says where its backfill
 * resumed: the join makes the part of an outage before that a GAP itself.
 *
 * <p>A node's view in the partition begins where it begins in the single process: at the node's
 * first flow after its stream came up, which the collector writes into every partition as a
 * view-begins record (a flow without addresses, seen only by the join's clock and first-event
 * logic). Without it the view would begin at the node's first event that hashes here, seconds later
 * or never, and departures to the node before it would be UNVERIFIED(NO_OBSERVER) here but LOST in
 * the single process.
 */
public final class PartitionJoin {
    /** How much older than a node's newest flow another of its flows may arrive (Hubble merges per-CPU rings). */
    static final long REORDER_MARGIN_NANOS = 1_000_000_000L;

    private final JoinEngine engine;
    private final EventRecordReader reader;
    private final NodeEvent slot = new NodeEvent();
    private final CollectorWatermarks collectors;
    private final CollectorWatermarks.Listener nodesOfCollectors = new CollectorWatermarks.Listener() {
        @Override
        public void announce(int shard, byte kind, long atNanos) {
            announceNodes(shard, kind, atNanos);
        }

        @Override
        public void restarted(int shard) {
            skipRewritten(shard);
        }
    };
    /** Per node dictionary id: 1 + the shard of the collector that wrote its last event here, 0 none yet. */
    private int[] shardOfNode = new int[1024];
    /** Per node dictionary id: node-clock time of its newest flow read here, 0 none. */
    private long[] newestFlowNanos = new long[1024];
    /**
     * Per node dictionary id: its flows up to this node-clock time may be a restarted collector's
     * re-read, 0 none (or the re-read has passed it).
     */
    private long[] rewrittenUpTo = new long[1024];
    private final WrittenFlows written;
    private long frontier = Long.MIN_VALUE;
    private long duplicatesSkipped;

    /**
     * @param engine the join of this partition; its dictionary is the reader's
     * @param collectorTimeoutNanos how far a collector's watermark may fall behind the newest one in the
     *     partition before it counts as gone
     */
    public PartitionJoin(JoinEngine engine, EventRecordReader reader, long collectorTimeoutNanos) {
        this.engine = engine;
        this.reader = reader;
        this.written = new WrittenFlows(REORDER_MARGIN_NANOS,
                2 * (engine.config().pendingCapacity() + engine.config().arrivalCapacity()));
        this.collectors = new CollectorWatermarks(collectorTimeoutNanos, reader::name);
    }

    /**
     * One record of the partition, read at wall-clock {@code nowNanos} (the partition's time comes from
     * its heartbeats only; the read time is not used).
     *
     * @return the reader's result ({@link EventRecordReader#EVENT}, {@code HEARTBEAT}, {@code VIEW_BEGINS},
     *     {@code MALFORMED})
     */
    public int onRecord(byte[] value, long nowNanos) {
        int type = reader.read(value, 0, value == null ? 0 : value.length, slot);
        if (type == EventRecordReader.EVENT || type == EventRecordReader.VIEW_BEGINS) {
            int node = slot.node;
            remember(reader.eventShard(), node);
            if (slot.kind == NodeEvent.FLOW && node > 0 && node < rewrittenUpTo.length) {
                // Never a view-begins record: the new stream's first flow ends the node's outage here.
                long rewrittenUntil = rewrittenUpTo[node];
                if (rewrittenUntil != 0 && type == EventRecordReader.EVENT) {
                    if (slot.timeNanos <= rewrittenUntil && written.isRewritten(slot, rewrittenUntil)) {
                        duplicatesSkipped++;
                        return type;
                    }
                    if (slot.timeNanos > rewrittenUntil + REORDER_MARGIN_NANOS) {
                        rewrittenUpTo[node] = 0; // the re-read is past what the old process wrote
                    }
                }
                newestFlowNanos[node] = Math.max(newestFlowNanos[node], slot.timeNanos);
                if (type == EventRecordReader.EVENT) {
                    written.remember(slot, newestFlowNanos);
                }
            }
            engine.onEvent(slot, false);
        } else if (type == EventRecordReader.HEARTBEAT) {
            collectors.onHeartbeat(reader.heartbeatShard(), reader.heartbeatSequence(), reader.heartbeatWatermarkNanos(),
                    reader.heartbeatUndeliveredSinceNanos(), reader.heartbeatMember(), nodesOfCollectors);
        }
        return type;
    }

    /**
     * Retires collectors whose watermark fell behind by more than the timeout ({@code nowNanos}, the
     * wall clock, is not used: see the class comment), then lets the join decide what the frontier
     * allows.
     *
     * @return entries decided or expired
     */
    public int advance(long nowNanos) {
        long lowest = collectors.lowestLive(nodesOfCollectors);
        if (lowest == Long.MAX_VALUE || lowest < frontier) {
            return 0; // no live collector: time stands still (their nodes' windows wait or were made UNVERIFIED)
        }
        frontier = lowest;
        int work = 0;
        engine.setTime(frontier);
        for (int round; (round = engine.advance(frontier, true, JoinDutyCycle.DECISION_BUDGET)) > 0; ) {
            work += round;
        }
        return work;
    }

    /** The partition's time: the lowest heartbeat of its live collectors so far; {@code Long.MIN_VALUE} before the first. */
    public long frontier() {
        return frontier;
    }

    /** Collectors declared gone since the start. */
    public long collectorsGone() {
        return collectors.gones();
    }

    /**
     * The collector declared gone last: its shard, member name and how far its watermark was behind
     * the newest one then (e.g. {@code shard 1 (collector-1), 6.2 s behind}); null before the first.
     */
    public String lastGoneCollector() {
        return collectors.lastGone();
    }

    /** Collectors seen to start again (heartbeat sequence reset) since the start. */
    public long collectorRestarts() {
        return collectors.restarts();
    }

    /** Flows of a restarted collector skipped as already written by its previous process. */
    public long duplicatesSkipped() {
        return duplicatesSkipped;
    }

    public JoinEngine engine() {
        return engine;
    }

    public EventRecordReader reader() {
        return reader;
    }

    private void announceNodes(int shard, byte kind, long atNanos) {
        for (int node = 1; node < shardOfNode.length; node++) {
            if (shardOfNode[node] == shard + 1) {
                slot.clear();
                slot.kind = kind;
                slot.node = node;
                slot.upAnnounced = kind == NodeEvent.NODE_DOWN; // the collector's next heartbeat says it is back
                slot.timeNanos = atNanos;
                slot.receivedNanos = atNanos;
                engine.onEvent(slot, false);
            }
        }
    }

    /** After a restart of {@code shard}: what its new process re-reads of its nodes is dropped where already written (class comment). */
    private void skipRewritten(int shard) {
        written.collectorRestarted(shard, shardOfNode, newestFlowNanos, rewrittenUpTo);
        for (int node = 1; node < shardOfNode.length; node++) {
            if (shardOfNode[node] != shard + 1 || newestFlowNanos[node] == 0) {
                continue;
            }
            rewrittenUpTo[node] = newestFlowNanos[node];
            long uncertain = written.uncertainUpTo(node);
            if (uncertain != 0) {
                // Prints pushed out of the ring: flows there are dropped unseen, and that span is unknown.
                slot.clear();
                slot.kind = NodeEvent.GAP;
                slot.node = node;
                slot.gapStartNanos = newestFlowNanos[node] - REORDER_MARGIN_NANOS;
                slot.gapEndNanos = uncertain;
                slot.timeNanos = newestFlowNanos[node];
                slot.receivedNanos = newestFlowNanos[node];
                engine.onEvent(slot, false);
            }
        }
    }

    private void remember(int shard, int node) {
        if (shard >= CollectorWatermarks.MAX_SHARDS || node <= 0) {
            return;
        }
        if (node >= shardOfNode.length) {
            int length = Math.max(node + 1, shardOfNode.length * 2);
            shardOfNode = Arrays.copyOf(shardOfNode, length);
            newestFlowNanos = Arrays.copyOf(newestFlowNanos, length);
            rewrittenUpTo = Arrays.copyOf(rewrittenUpTo, length);
        }
        shardOfNode[node] = shard + 1;
    }
}
