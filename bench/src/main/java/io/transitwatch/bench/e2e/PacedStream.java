package io.transitwatch.bench.e2e;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.stub.ServerCallStreamObserver;
import io.transitwatch.proto.flow.LostEvent;
import io.transitwatch.proto.flow.LostEventSource;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Confined to the load server's pacer thread, except {@link #cancel()} and {@link #retime} (any thread) and the
 * counters, which any thread may read.
 *
 * <p>One {@code GetFlows} call of the load server: the messages of one feed (every message of the
 * workload for a Relay-like stream, one node's for a node's stream), each due at its place on the
 * server-wide schedule ({@link Schedule}). {@link #pump} sends what is due while gRPC says the
 * client can take more ({@code isReady}); what the client does not take waits, like events in
 * Hubble's ring, and what falls out of a ring of {@code ringCapacity} messages is skipped, counted
 * and announced to the client in {@code lost_events} messages (HUBBLE_RING_BUFFER), per node, as
 * Hubble does. Nothing is ever buffered beyond what gRPC's flow control admits.
 */
final class PacedStream {
    /** Messages sent per pump before the pacer turns to the next stream. */
    private static final int BATCH = 256;
    private static final long LOST_EVENTS_INTERVAL_NANOS = 100_000_000L;

    /** The server-wide schedule: message {@code g} (global index over endless laps) is due at epoch + g / rate. */
    record Schedule(long epochMonoNanos, long epochWallNanos, long ratePerSecond) {
        long dueGlobal(long monoNanos) {
            return monoNanos <= epochMonoNanos ? 0 : (long) ((monoNanos - epochMonoNanos) * (ratePerSecond / 1e9));
        }

        long dueWallNanos(long global) {
            return epochWallNanos + (long) (global * (1e9 / ratePerSecond));
        }
    }

    private final Workload workload;
    private final ServerCallStreamObserver<InputStream> call;
    private volatile Schedule schedule; // null until the stream may start (see LoadServer)
    /** Workload message indices of this feed, ascending; null for all of them. */
    private final int[] feed;
    private final int feedLength;
    private final int lapLength;
    private final long ringCapacity;
    private final long limit;
    private final byte[] scratch;
    private final long[] skippedByNode;
    private final long[] skippedFirst;
    private final long[] skippedLast;
    /** Node indices this feed carries: whose connect messages it sends first when it starts from the beginning. */
    private final int[] feedNodes;
    private boolean connectDue;
    private long lastLostReportNanos = Long.MIN_VALUE / 2;
    private long cursor;
    private long lastPumpNanos;
    private volatile boolean cancelled;

    private volatile long sent;
    private volatile long skipped;
    private volatile long notReadyNanos;

    /**
     * @param laps stop sending (but keep the call open) after this many laps; 0 for never
     */
    PacedStream(Workload workload, ServerCallStreamObserver<InputStream> call, int[] feed, long ringCapacity,
            int laps) {
        this.workload = workload;
        this.call = call;
        this.feed = feed;
        this.lapLength = workload.messageCount();
        this.feedLength = feed == null ? lapLength : feed.length;
        this.ringCapacity = ringCapacity;
        this.limit = laps == 0 ? Long.MAX_VALUE : (long) laps * feedLength;
        this.scratch = new byte[workload.maxMessageBytes()];
        this.skippedByNode = new long[workload.nodeNames().length];
        this.skippedFirst = new long[workload.nodeNames().length];
        this.skippedLast = new long[workload.nodeNames().length];
        this.feedNodes = feed == null ? java.util.stream.IntStream.range(0, workload.nodeNames().length).toArray()
                : java.util.stream.IntStream.of(feed).map(workload::nodeOf).distinct().toArray();
    }

    /**
     * Starts sending on {@code schedule}, from what is due at {@code nowNanos} (Hubble's follow mode),
     * or with {@code fromStart} from the first message of the first lap (a test's exact run), with
     * the feed's connect messages ({@link Workload#writeConnect}) sent at once, ahead of the schedule.
     * Called on the pacer thread or before the stream is handed to it.
     */
    void start(Schedule newSchedule, boolean fromStart, long nowNanos) {
        cursor = fromStart ? 0 : dueCount(newSchedule, nowNanos);
        connectDue = fromStart;
        lastPumpNanos = nowNanos;
        schedule = newSchedule; // volatile: publishes the cursor to the pacer
    }

    /**
     * Goes on with {@code newSchedule} from where the stream is (any thread; a started stream only): the
     * cursor stays, so the new schedule must put what is due now where the old one did.
     */
    void retime(Schedule newSchedule) {
        if (schedule != null) {
            schedule = newSchedule;
        }
    }

    /**
     * Sends up to a batch of what is due at {@code nowNanos}.
     *
     * @return true if it sent anything
     */
    boolean pump(long nowNanos) {
        Schedule schedule = this.schedule;
        if (schedule == null) {
            return false;
        }
        if (connectDue && !cancelled && call.isReady()) {
            long wall = io.transitwatch.daemon.clock.Clock.SYSTEM.epochNanos();
            for (int node : feedNodes) {
                call.onNext(new RawMessage(scratch, workload.writeConnect(node, wall, scratch)));
            }
            sent += feedNodes.length;
            connectDue = false;
            return true;
        }
        long due = Math.min(dueCount(schedule, nowNanos), limit);
        long backlog = due - cursor;
        long sinceLast = nowNanos - lastPumpNanos;
        lastPumpNanos = nowNanos;
        if (backlog <= 0 || cancelled) {
            return false;
        }
        if (backlog > ringCapacity) {
            overrun(schedule, backlog - ringCapacity);
        }
        if (!call.isReady()) {
            notReadyNanos += sinceLast;
            return false;
        }
        sendLostEvents(nowNanos);
        int count = 0;
        while (cursor < due && count < BATCH && call.isReady()) {
            long lap = cursor / feedLength;
            int index = feed == null ? (int) (cursor % feedLength) : feed[(int) (cursor % feedLength)];
            long dueWall = schedule.dueWallNanos(lap * lapLength + index);
            int length = workload.write(index, lap, dueWall, scratch);
            call.onNext(new RawMessage(scratch, length)); // gRPC copies it into its buffer before returning
            cursor++;
            count++;
        }
        sent += count;
        return count > 0;
    }

    /**
     * How long until this stream's next message is due (negative when overdue); {@code Long.MAX_VALUE}
     * when none will be, or when the client pushes back (its onReady wakes the pacer).
     */
    long nanosUntilNextDue(long nowNanos) {
        Schedule schedule = this.schedule;
        if (schedule == null || cancelled || cursor >= limit || !call.isReady()) {
            return Long.MAX_VALUE; // nothing will be due, or onReady wakes the pacer
        }
        if (connectDue) {
            return 0;
        }
        long lap = cursor / feedLength;
        int index = feed == null ? (int) (cursor % feedLength) : feed[(int) (cursor % feedLength)];
        long dueMono = schedule.epochMonoNanos() + (long) ((lap * lapLength + index) * (1e9 / schedule.ratePerSecond()));
        return dueMono - nowNanos;
    }

    /** The oldest {@code count} messages were overwritten in the ring before this client took them. */
    private void overrun(Schedule schedule, long count) {
        for (long c = cursor; c < cursor + count; c++) {
            long lap = c / feedLength;
            int index = feed == null ? (int) (c % feedLength) : feed[(int) (c % feedLength)];
            int node = workload.nodeOf(index);
            long time = schedule.dueWallNanos(lap * lapLength + index) + workload.skewNanos(node);
            if (skippedByNode[node]++ == 0) {
                skippedFirst[node] = time;
            }
            skippedLast[node] = time;
        }
        cursor += count;
        skipped += count;
    }

    /**
     * Reports what was skipped, per node, as Hubble 1.19 does: one {@code lost_events} message with the
     * count and the {@code first}/{@code last} times of the lost range, at most every
     * {@value #LOST_EVENTS_INTERVAL_NANOS} ns per stream (1.19 rate-limits them per request).
     */
    private void sendLostEvents(long nowNanos) {
        if (nowNanos - lastLostReportNanos < LOST_EVENTS_INTERVAL_NANOS) {
            return;
        }
        String[] nodes = workload.nodeNames();
        for (int n = 0; n < skippedByNode.length; n++) {
            if (skippedByNode[n] == 0) {
                continue;
            }
            byte[] message = GetFlowsResponse.newBuilder()
                    .setLostEvents(LostEvent.newBuilder().setSource(LostEventSource.HUBBLE_RING_BUFFER)
                            .setNumEventsLost(skippedByNode[n]).setFirst(timestamp(skippedFirst[n]))
                            .setLast(timestamp(skippedLast[n])))
                    .setNodeName(nodes[n]).setTime(timestamp(skippedLast[n])).build().toByteArray();
            call.onNext(new RawMessage(message, message.length));
            skippedByNode[n] = 0;
            lastLostReportNanos = nowNanos;
        }
    }

    private static com.google.protobuf.Timestamp timestamp(long epochNanos) {
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(Math.floorDiv(epochNanos, 1_000_000_000L))
                .setNanos((int) Math.floorMod(epochNanos, 1_000_000_000L)).build();
    }

    /** How many of this feed's messages are due at {@code nowNanos} since the first lap began. */
    private long dueCount(Schedule schedule, long nowNanos) {
        long global = schedule.dueGlobal(nowNanos);
        long lap = global / lapLength;
        int inLap = (int) (global % lapLength);
        int inFeed = feed == null ? inLap : lowerBound(feed, inLap);
        return lap * feedLength + inFeed;
    }

    private static int lowerBound(int[] sorted, int key) {
        int i = Arrays.binarySearch(sorted, key);
        return i >= 0 ? i : -i - 1;
    }

    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    long sent() {
        return sent;
    }

    long skipped() {
        return skipped;
    }

    long notReadyNanos() {
        return notReadyNanos;
    }

    /**
     * Pre-serialized bytes as the call's response: gRPC asks for its length and drains it straight
     * into its transport buffer, so the server spends nothing on serialization.
     */
    static final class RawMessage extends InputStream implements KnownLength, Drainable {
        private final byte[] bytes;
        private final int length;
        private int position;

        RawMessage(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
        }

        @Override
        public int drainTo(OutputStream target) throws java.io.IOException {
            int remaining = length - position;
            target.write(bytes, position, remaining);
            position = length;
            return remaining;
        }

        @Override
        public int available() {
            return length - position;
        }

        @Override
        public int read() {
            return position < length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int count) {
            if (position >= length) {
                return -1;
            }
            int n = Math.min(count, length - position);
            System.arraycopy(bytes, position, target, offset, n);
            position += n;
            return n;
        }
    }
}
