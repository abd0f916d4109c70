package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.concurrent.TimeUnit;

/**
 * Single-threaded: owned by the join thread; other threads read what it publishes through
 * {@link JoinCounters}.
 *
 * <p>What the join knows about each node's observer (its Hubble stream), behind one door: the
 * node's dense index ({@link NodeIndex}), its place on the daemon's time line ({@link NodeClocks}:
 * offset, lateness, watermark; {@link TransitBounds}: how far its peers' clocks still disagree with
 * it) and how complete its view is ({@link ObserverHealth}: up, down, catching up, and the spans it
 * cannot vouch for). The health events of the ingest (NODE_UP, NODE_DOWN, GAP, LOST_EVENTS) end
 * here; the join asks it two questions: up to when are this node's events all here (its
 * watermark), and was its view complete during a window.
 */
final class Observers {
    private static final long CLOCK_PUBLISH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final JoinCounters counters;
    private final NodeIndex index;
    private final NodeClocks clocks;
    private final TransitBounds transits;
    private final ObserverHealth health;
    private final long slackNanos;
    private final long lostEventsSpanNanos;
    private final long catchUpLimitNanos;
    /** Per dense node: its datapath emits no trace events (the calibration's blind spot), so it reports no arrival. */
    private final boolean[] blind;
    /** Per dense node: one packet may leave it reported twice (see {@link #reportsEgressTwice}). */
    private final boolean[] egressTwice;
    /** Per dense node: seen masquerading a pod's packet to another node, which it reports twice (before and after SNAT). */
    private final boolean[] masquerades;
    /**
     * Per dense node: up to when the ingest has judged its BPF events rate limit (frame time, less the
     * slack); the node's watermark stays behind it. {@link Long#MAX_VALUE} for a node not watched.
     */
    private final long[] countedThrough;
    /**
     * Per node: its stream came back and re-reads from its ring what lies before that moment (the
     * catch-up target), until an event at or past it arrives. Outlives the catch-up's bounded wait
     * ({@code join.catch-up-limit}): a slow backfill goes on re-reading after it.
     */
    private final boolean[] reReading;
    /** Dictionary ids of the blind nodes, as of the last discovery: for nodes first seen after it. */
    private java.util.Set<Integer> blindNodes = java.util.Set.of();
    private java.util.Set<Integer> egressTwiceNodes = java.util.Set.of();
    private final long windowNanos;
    private long nowNanos;
    private long clocksDueNanos;

    Observers(JoinConfig config, JoinCounters counters) {
        this.counters = counters;
        this.index = new NodeIndex(config.maxNodes());
        this.clocks = new NodeClocks(config.maxNodes(), config.clockSpan().toNanos(), config.watermarkSlack().toNanos(),
                config.maxBehind().toNanos() - config.window().toNanos());
        this.transits = new TransitBounds(config.maxNodes(), config.maxPairs(), config.clockSpan().toNanos(),
                config.window().toNanos());
        this.health = new ObserverHealth(config.maxNodes(), 32);
        this.blind = new boolean[config.maxNodes()];
        this.egressTwice = new boolean[config.maxNodes()];
        this.masquerades = new boolean[config.maxNodes()];
        this.countedThrough = new long[config.maxNodes()];
        java.util.Arrays.fill(countedThrough, Long.MAX_VALUE);
        this.reReading = new boolean[config.maxNodes()];
        this.slackNanos = config.watermarkSlack().toNanos();
        this.windowNanos = config.window().toNanos();
        this.lostEventsSpanNanos = config.lostEventsSpan().toNanos();
        this.catchUpLimitNanos = config.catchUpLimit().toNanos();
    }

    void setTime(long epochNanos) {
        this.nowNanos = epochNanos;
    }

    /** The node's dense index, assigned (and announced to the counters) on first sight; {@link NodeIndex#NONE} past capacity. */
    int index(int dictionaryId) {
        int before = index.size();
        int node = index.indexOf(dictionaryId);
        if (node != NodeIndex.NONE && node >= before) {
            counters.registerNode(node, dictionaryId);
            calibrateNode(node, dictionaryId);
        }
        return node;
    }

    /**
     * Takes what Cilium's configuration says of some nodes (dictionary ids): {@code blindNodes} emit no
     * trace events ({@code bpf-events-trace-enabled=false}), so departures to them are
     * UNVERIFIED(NO_OBSERVER), never LOST, although their streams are up; {@code egressTwiceNodes} may
     * report one packet leaving twice ({@link #reportsEgressTwice}).
     */
    void calibrate(java.util.Set<Integer> blindNodes, java.util.Set<Integer> egressTwiceNodes) {
        this.blindNodes = blindNodes;
        this.egressTwiceNodes = egressTwiceNodes;
        for (int node = 0, count = index.size(); node < count; node++) {
            calibrateNode(node, index.dictionaryId(node));
        }
    }

    /** The calibration's word on dense node {@code node} (dictionary id {@code dictionaryId}). */
    private void calibrateNode(int node, int dictionaryId) {
        blind[node] = blindNodes.contains(dictionaryId);
        egressTwice[node] = egressTwiceNodes.contains(dictionaryId) || masquerades[node];
    }

    /**
     * Whether {@code node} may report one packet leaving twice: below monitor aggregation {@code medium}
     * every egress point fires for every packet, the endpoint's {@code to-network} with its trace reason
     * and the host's {@code to-netdev} without one (hubble-api.md §2.3 a, §3.3); and at any aggregation
     * a node seen masquerading pod traffic ({@link #masqueradeSeen}) reports such a packet from the
     * endpoint's program before SNAT and from bpf_host's SNAT path after it (§2.3 e, §4.1).
     */
    boolean reportsEgressTwice(int node) {
        return egressTwice[node];
    }

    /** {@code node} reported a departure to another node with {@code source_xlated}: it masquerades pod traffic. */
    void masqueradeSeen(int node) {
        masquerades[node] = true;
        egressTwice[node] = true;
    }

    int dictionaryId(int node) {
        return index.dictionaryId(node);
    }

    int count() {
        return index.size();
    }

    /**
     * A flow of {@code node}: learns its clock, and shows the stream up (a node never seen before, or
     * back in a replayed capture) and caught up. Returns the flow's frame time.
     */
    long onFlow(int node, NodeEvent flow) {
        countEgressPoint(node, flow);
        // What a stream that came back re-reads from before it came up is late by design, not by the
        // stream's usual delay: learnt as lateness it would hold the node's watermark back for two spans,
        // learnt as offset it would place the node's events late (NodeClocks.observe).
        boolean reRead = reReading[node] && clocks.frameTime(node, flow.timeNanos) < health.catchUpTarget(node);
        reReading[node] = reRead;
        clocks.observe(node, flow.timeNanos, flow.receivedNanos, !reRead);
        long frame = clocks.frameTime(node, flow.timeNanos);
        if (!health.isUp(node) && health.resumes(node, frame)) {
            // A node seen for the first time without NODE_UP, or back in a replayed capture: its flows
            // newer than the outage show the stream up; older ones were already in flight.
            onUp(node, false, 0);
        }
        if (health.isCatchingUp(node)) {
            health.delivered(node, frame, flow.timeNanos);
            publishCaughtUp(node);
        }
        return frame;
    }

    /** Counts where the node's stream shows packets leaving it, for the calibration check (read elsewhere). */
    private void countEgressPoint(int node, NodeEvent flow) {
        if (flow.verdict != JoinConstants.VERDICT_FORWARDED) {
            return;
        }
        switch (flow.observationPoint) {
            case JoinConstants.POINT_TO_NETWORK -> counters.incrementNode(node, JoinCounters.PerNode.SEEN_TO_NETWORK);
            case JoinConstants.POINT_TO_OVERLAY -> counters.incrementNode(node, JoinCounters.PerNode.SEEN_TO_OVERLAY);
            case JoinConstants.POINT_TO_STACK -> counters.incrementNode(node, JoinCounters.PerNode.SEEN_TO_STACK);
            default -> { }
        }
    }

    /**
     * @param resumedFromNanos with {@code backfilled}: the node-clock time the backfill re-reads from,
     *     0 unknown; the part of an outage before it is a GAP (a restarted collector resumes where its
     *     predecessor's writes end, which need not reach back to where the node's outage began here)
     */
    void onUp(int node, boolean backfilled, long resumedFromNanos) {
        if (health.isUp(node)) {
            return; // already delivering: a repeated NODE_UP says nothing new
        }
        long outageSince = health.openSince(node);
        if (backfilled && resumedFromNanos != 0 && outageSince != Long.MAX_VALUE && outageSince != Long.MIN_VALUE) {
            long resumedFrame = clocks.frameTime(node, resumedFromNanos);
            if (resumedFrame > outageSince) {
                addGap(node, outageSince, resumedFrame);
            }
        }
        counters.increment(JoinCounters.Global.NODE_UP);
        health.markUp(node, nowNanos, backfilled, nowNanos + catchUpLimitNanos);
        reReading[node] = true;
        counters.setNode(node, JoinCounters.PerNode.STATE, JoinCounters.OBSERVER_CATCHING_UP);
    }

    void onDown(int node, long reportedAtNanos, boolean upAnnounced) {
        if (health.state(node) != ObserverHealth.DOWN) {
            counters.increment(JoinCounters.Global.NODE_DOWN);
            counters.incrementNode(node, JoinCounters.PerNode.DOWN);
        }
        // Everything up to the watermark the stream had while it was up was received; after it, unknown.
        health.markDown(node, watermark(node, true), reportedAtNanos, upAnnounced);
        counters.setNode(node, JoinCounters.PerNode.STATE, JoinCounters.OBSERVER_DOWN);
    }

    void onLostEvents(int node, NodeEvent event) {
        counters.increment(JoinCounters.Global.LOST_EVENT_REPORTS);
        counters.addNode(node, JoinCounters.PerNode.LOST_EVENTS, event.lostCount);
        if (event.lostSource == NodeEvent.LOST_SOURCE_EVENTS_RATE_LIMIT) {
            // the ingest's own report, on the daemon's clock (the frame time line), already widened
            health.addSpan(node, event.lostFirstNanos, event.lostLastNanos, UnverifiedReason.LOST_EVENTS);
            return;
        }
        long reported = clocks.frameTime(node, event.timeNanos);
        long from = event.lostFirstNanos != 0
                ? clocks.frameTime(node, event.lostFirstNanos)
                : reported - lostEventsSpanNanos - clocks.lateness(node);
        long outageSince = health.openSince(node);
        if (event.lostFirstNanos == 0 && health.isCatchingUp(node) && outageSince != Long.MIN_VALUE) {
            // Hubble's ring overwrote events its reader had not reached: while a backfill re-reads an
            // outage they may lie anywhere in it, and the re-read's lateness is not learnt (onFlow).
            from = Math.min(from, outageSince);
        }
        long to = event.lostLastNanos != 0 ? clocks.frameTime(node, event.lostLastNanos) : reported;
        health.addSpan(node, from - slackNanos, to + slackNanos, UnverifiedReason.LOST_EVENTS);
    }

    /**
     * The ingest has judged {@code node}'s BPF events rate limit up to {@code throughNanos} (daemon clock,
     * the frame time line; see NodeEvent.EVENTS_COUNTED): what it found came before as LOST_EVENTS, so
     * the node's view up to there is settled, and nothing after it is decided until the next count.
     */
    void onEventsCounted(int node, long throughNanos) {
        countedThrough[node] = throughNanos == Long.MAX_VALUE || throughNanos == Long.MIN_VALUE ? throughNanos
                : throughNanos - slackNanos;
    }

    /**
     * The join forgot, for room, something {@code node} reported at {@code frameNanos} that a verdict
     * still needed: an arrival (or a reply) no departure (attempt) had claimed yet, whose departure,
     * processed later, would find nothing; or where a client sent a connection ({@link ClientRequests}),
     * whose replies may come for {@code neededForNanos} after it. The node's view from then until then
     * counts as incomplete (CAPACITY), so what depended on it is UNVERIFIED; consecutive ones merge into
     * one span.
     */
    void forgotForRoom(int node, long frameNanos, long neededForNanos) {
        health.addSpan(node, frameNanos - slackNanos, frameNanos + neededForNanos + slackNanos, UnverifiedReason.CAPACITY);
    }

    void onGap(int node, NodeEvent event) {
        addGap(node, clocks.frameTime(node, event.gapStartNanos), clocks.frameTime(node, event.gapEndNanos));
    }

    /** Events of the node between the two frame times never reached us (widened by the slack). */
    private void addGap(int node, long fromFrameNanos, long toFrameNanos) {
        counters.increment(JoinCounters.Global.GAPS);
        counters.incrementNode(node, JoinCounters.PerNode.GAPS);
        health.addSpan(node, fromFrameNanos - slackNanos, toFrameNanos + slackNanos, UnverifiedReason.GAP);
    }

    /** Readies a lane for a round of decisions: a catch-up that ran out of time ends; returns the node's state. */
    byte beginDecisions(int node) {
        if (health.isCatchingUp(node)) {
            health.endOverdueCatchUp(node, nowNanos);
            publishCaughtUp(node);
        }
        return health.state(node);
    }

    /** Tells readers (the web page) that a node's catch-up has ended, once it has. */
    private void publishCaughtUp(int node) {
        if (!health.isCatchingUp(node)) {
            counters.setNode(node, JoinCounters.PerNode.STATE, JoinCounters.OBSERVER_UP);
        }
    }

    /**
     * Frame time up to which {@code node}'s events are all here. Time alone may move it ({@code
     * idleAdvance}: nothing of the node waits on our side) only while its stream is up and has
     * delivered what it was asked to re-read; it never enters an outage that is still open or
     * still being re-read (see ObserverHealth, "catching up"), nor passes the point up to which the
     * ingest has judged the node's events rate limit ({@link #onEventsCounted}).
     */
    long watermark(int node, boolean idleAdvance) {
        boolean idle = idleAdvance && health.isUp(node) && !health.isCatchingUp(node);
        return Math.min(Math.min(clocks.watermark(node, nowNanos, idle), health.openSince(node)), countedThrough[node]);
    }

    long frameTime(int node, long nodeNanos) {
        return clocks.frameTime(node, nodeNanos);
    }

    /**
     * The reason {@code node}'s view was incomplete during [from, to] (frame times), or null; a
     * rate-limited node's view past its latest count is not complete yet ({@link #onEventsCounted}).
     */
    UnverifiedReason incompleteDuring(int node, long fromFrameNanos, long toFrameNanos) {
        if (blind[node]) {
            return UnverifiedReason.NO_OBSERVER;
        }
        if (countedThrough[node] < toFrameNanos) {
            // a rate-limited node not yet judged that far (a late arrival decides early; a segment's
            // first data is asked at once): what it dropped there is not known yet
            return UnverifiedReason.LOST_EVENTS;
        }
        return health.incompleteDuring(node, fromFrameNanos, toFrameNanos, clocks.offset(node));
    }

    /**
     * {@link #earliestArrival}, at most the window back: what tells whether a late departure's arrival
     * was forgotten before it came. A match further apart is taken for another connection on the
     * tuple (a port reused), not for the source's lag, which would make every departure of the source
     * look too late for its arrival. So a source lagging more than the window behind its peers can
     * still have a departure re-read just past the arrival memory decided LOST.
     */
    long earliestArrivalWithinWindow(int source, int destination, int pair) {
        return Math.max(earliestArrival(source, destination, pair), -windowNanos);
    }

    /**
     * How far before a departure of {@code source} to {@code destination} its arrival may lie (a lagging
     * source; 0 or negative): the source's earliest, or the pair's ({@code pair}, or -1) with the
     * offsets as known now when that is earlier ({@link TransitBounds}).
     */
    long earliestArrival(int source, int destination, int pair) {
        return transits.earliestArrival(source, pair, offsetGap(source, destination), nowNanos);
    }

    /** The destination's clock offset less the source's, as known now: a pair's clock difference to the time line. */
    private long offsetGap(int source, int destination) {
        return clocks.offset(destination) - clocks.offset(source);
    }

    /** How much longer than W departures to {@code destination} wait (its clock ahead of a peer's; 0 or more). */
    long extraWait(int destination) {
        return transits.extraWait(destination);
    }

    /**
     * A departure matched its arrival {@code transitNanos} after it on the time line, {@code
     * clockDifferenceNanos} after it by the two nodes' clocks; {@code pair}: its slot, or -1.
     */
    void observeTransit(int source, int destination, int pair, long transitNanos, long clockDifferenceNanos) {
        transits.matched(source, destination, pair, transitNanos, clockDifferenceNanos, offsetGap(source, destination),
                nowNanos);
    }

    /** Copies each node's clock offset, lateness and extra wait into the counters for metrics, once a second. */
    void publishClocks() {
        if (nowNanos < clocksDueNanos) {
            return;
        }
        clocksDueNanos = nowNanos + CLOCK_PUBLISH_INTERVAL_NANOS;
        for (int node = 0, count = index.size(); node < count; node++) {
            counters.setNode(node, JoinCounters.PerNode.CLOCK_OFFSET_NANOS, clocks.offset(node));
            counters.setNode(node, JoinCounters.PerNode.LATENESS_NANOS, clocks.lateness(node));
            counters.setNode(node, JoinCounters.PerNode.EXTRA_WAIT_NANOS, transits.extraWait(node));
        }
    }
}
