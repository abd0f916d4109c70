package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.Arrays;

/**
 * Called only on the collector's one publishing thread (the consumer of the hand-off ring), counters
 * included (publishing them to metrics, as the join does with its counters, is still to come).
 *
 * <p>The collector's half of DESIGN §8: turns the node events of its shard into event-topic records
 * ({@link EventKeys}, {@link EventRecordWriter}) and hands them, with their key or an explicit
 * partition, to a {@link RecordSink} (the Kafka producer). Records for every partition (stream health,
 * heartbeats) are written to each partition in turn, so in every partition they stand where they
 * stood in the node's stream; so is the first flow of a node after its stream came up, reduced to
 * a view-begins record. Events of nodes another shard owns are dropped and counted (relay mode sees
 * every node).
 */
public final class EventPublisher implements NodeEventHandler {
    /** Where records go: the producer of the event topic. Called on the publishing thread; must not block for long. */
    public interface RecordSink {
        /**
         * @param partition the partition, or -1 to let the default partitioner place it by {@code key}
         * @param key the record key, null with an explicit partition; the sink may keep the array
         * @param value the record value; the sink may keep the array
         */
        void send(int partition, byte[] key, byte[] value);

        /** A stream-health record for the compacted observers topic, keyed by the node's name (UTF-8). */
        default void status(byte[] node, byte[] value) {}

        /**
         * A heartbeat record for {@code partition}; once the broker has acknowledged it, {@link
         * #deliveredThrough} of that partition is at least {@code watermarkNanos}.
         */
        default void heartbeat(int partition, byte[] value, long watermarkNanos) {
            send(partition, null, value);
        }

        /**
         * The watermark of the newest heartbeat to {@code partition} the broker acknowledged, 0 none yet;
         * {@code Long.MAX_VALUE} (the default) for a sink that does not track delivery.
         */
        default long deliveredThrough(int partition) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A heartbeat whose watermark is this far past the newest one the broker acknowledged in its
     * partition says since when its records there are undelivered: a broker outage holds every
     * collector's records, and when it ends their producers deliver what they held at different
     * moments, so the correlators must not count the later ones' silence as gone (PartitionJoin).
     * Far above a healthy broker's acknowledgement time, a fifth of {@code scale.collector-timeout}'s default.
     */
    public static final long UNDELIVERED_AFTER_NANOS = 1_000_000_000L;

    private final StringDictionary dictionary;
    private final ShardAssignment shards;
    private final EventKeys keys;
    private final EventRecordWriter writer;
    private final RecordSink sink;
    private final int partitions;
    private final byte[] member;
    /** This collector's key in the observers topic: its latest heartbeat, where a restart resumes. */
    private final byte[] collectorKey;
    private final byte[] buffer = new byte[EventRecordFormat.MAX_RECORD];
    /** Per node dictionary id: 0 unknown yet, 1 ours, 2 another shard's (node names are pinned, ids stable). */
    private byte[] ownership = new byte[1024];
    /** Per node dictionary id: true once its view began (a flow after its stream last came up was seen). */
    private boolean[] viewBegun = new boolean[1024];
    private long heartbeatSequence;
    /** The watermark of this process's first heartbeat: delivery is owed from there, 0 before it. */
    private long firstWatermarkNanos;

    private long published;
    private long records;
    private long foreign;
    private long ignored;
    private long heartbeats;
    private long undeliveredHeartbeats;
    private long viewsBegun;

    /**
     * @param partitions partitions of the event topic (records for every partition go to each of them)
     * @param member this collector's member name, written into its heartbeats
     */
    public EventPublisher(StringDictionary dictionary, ShardAssignment shards, EventKeys keys, RecordSink sink,
            int partitions, String member) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        this.dictionary = dictionary;
        this.shards = shards;
        this.keys = keys;
        this.writer = new EventRecordWriter(dictionary);
        this.sink = sink;
        this.partitions = partitions;
        this.member = member.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.collectorKey = collectorKey(shards.shard());
    }

    /** The observers-topic key of shard {@code shard}'s collector: {@code collector/<shard>}, never a node name (no '/'). */
    public static byte[] collectorKey(int shard) {
        return ("collector/" + shard).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void onEvent(NodeEvent event, boolean endOfBatch) {
        if (event.kind != NodeEvent.FLOW && !EventRecordWriter.isStatus(event.kind)) {
            ignored++; // node addresses and discovery snapshots stay in the process
            return;
        }
        if (!owns(event.node)) {
            foreign++;
            return;
        }
        beginView(event);
        int route = keys.route(event);
        if (route == EventKeys.NONE) {
            ignored++;
            return;
        }
        int length = writer.writeEvent(event, shards.shard(), buffer);
        published++;
        if (route == EventKeys.EVERY_PARTITION) {
            for (int partition = 0; partition < partitions; partition++) {
                send(partition, null, length);
            }
            String node = dictionary.get(event.node); // stream health is rare: the name's bytes may be made here
            sink.status(node.getBytes(java.nio.charset.StandardCharsets.UTF_8), Arrays.copyOf(buffer, length));
            return;
        }
        byte[] tuple = (route & EventKeys.TUPLE) != 0 ? keys.tupleKey().clone() : null;
        byte[] client = (route & EventKeys.CLIENT) != 0 ? keys.clientKey().clone() : null;
        if (tuple != null) {
            send(-1, tuple, length);
        }
        if (client != null && (tuple == null
                || KafkaPartitions.of(client, partitions) != KafkaPartitions.of(tuple, partitions))) {
            send(-1, client, length); // a reply that may answer a round trip, in its client's partition too
        }
    }

    /**
     * Writes a heartbeat into every partition: every event of this shard's nodes received (collector
     * clock) before {@code watermarkNanos} was handed to the sink before it. Call it on the publishing
     * thread, after draining the hand-off ring, with a watermark taken before that drain began. Each
     * partition's heartbeat also says since when the records to it are undelivered, if they are
     * ({@link #UNDELIVERED_AFTER_NANOS}).
     */
    public void heartbeat(long watermarkNanos) {
        heartbeatSequence++;
        if (firstWatermarkNanos == 0) {
            firstWatermarkNanos = watermarkNanos;
        }
        for (int partition = 0; partition < partitions; partition++) {
            long delivered = Math.max(sink.deliveredThrough(partition), firstWatermarkNanos);
            long undeliveredSince = watermarkNanos - delivered > UNDELIVERED_AFTER_NANOS ? delivered : 0;
            if (undeliveredSince != 0) {
                undeliveredHeartbeats++;
            }
            sink.heartbeat(partition, heartbeatRecord(watermarkNanos, undeliveredSince), watermarkNanos);
        }
        sink.status(collectorKey, heartbeatRecord(watermarkNanos, 0)); // where a restart of this shard resumes
        heartbeats++;
    }

    private byte[] heartbeatRecord(long watermarkNanos, long undeliveredSinceNanos) {
        int length = writer.writeHeartbeat(shards.shard(), shards.shards(), watermarkNanos, undeliveredSinceNanos,
                heartbeatSequence, member, buffer);
        return Arrays.copyOf(buffer, length);
    }

    /**
     * The single process's join starts a node's view at its first flow after the stream comes up
     * (ObserverHealth, "Before the first stream"), whatever that flow is. A partition's join would
     * otherwise see only the node's flows that hash to it, and start the view later or never. So that
     * flow's times go into every partition first, as a view-begins record.
     */
    private void beginView(NodeEvent event) {
        int node = event.node;
        if (node >= viewBegun.length) {
            viewBegun = Arrays.copyOf(viewBegun, Math.max(node + 1, viewBegun.length * 2));
        }
        if (event.kind != NodeEvent.FLOW) {
            if (event.kind == NodeEvent.NODE_UP || event.kind == NodeEvent.NODE_DOWN) {
                viewBegun[node] = false; // the next flow begins the view again (after an outage without backfill)
            }
            return;
        }
        if (viewBegun[node]) {
            return;
        }
        viewBegun[node] = true;
        int length = writer.writeViewBegins(event, shards.shard(), buffer);
        for (int partition = 0; partition < partitions; partition++) {
            sink.send(partition, null, Arrays.copyOf(buffer, length));
        }
        viewsBegun++;
    }

    private void send(int partition, byte[] key, int length) {
        sink.send(partition, key, Arrays.copyOf(buffer, length));
        records++;
    }

    private boolean owns(int node) {
        if (node <= 0) {
            return false;
        }
        if (node >= ownership.length) {
            ownership = Arrays.copyOf(ownership, Math.max(node + 1, ownership.length * 2));
        }
        if (ownership[node] == 0) {
            String name = dictionary.get(node);
            ownership[node] = name != null && shards.owns(name) ? (byte) 1 : (byte) 2;
        }
        return ownership[node] == 1;
    }

    /** Node events published (one each, however many records). */
    public long published() {
        return published;
    }

    /** Records handed to the sink, heartbeats excluded. */
    public long records() {
        return records;
    }

    /** Events of nodes another shard owns, dropped. */
    public long foreign() {
        return foreign;
    }

    /** Events the join would ignore, and kinds that stay in the process, dropped. */
    public long ignored() {
        return ignored;
    }

    /** View-begins records written (each to every partition): one per node and stream start. */
    public long viewsBegun() {
        return viewsBegun;
    }

    /** Heartbeat rounds written (each to every partition). */
    public long heartbeats() {
        return heartbeats;
    }

    /** Heartbeats (one per partition) that said the records to their partition were undelivered. */
    public long undeliveredHeartbeats() {
        return undeliveredHeartbeats;
    }
}
