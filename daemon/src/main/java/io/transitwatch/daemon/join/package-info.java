/**
 * The join (DESIGN §3, ADRs 0001, 0002 and 0004): one thread matches each node's departures with
 * the destination node's arrivals and decides every departure. It imports no gRPC, protobuf, Kafka,
 * HTTP, Kubernetes or logging; it allocates nothing per event; other threads read it only through
 * {@link io.transitwatch.daemon.join.JoinCounters}.
 *
 * <h2>Words</h2>
 * <dl>
 *   <dt>node id</dt>
 *   <dd>A node's name as a {@link io.transitwatch.daemon.handoff.StringDictionary} id: what events and
 *       verdicts carry ({@code NodeEvent.node}, {@code DepartureView.sourceNode()}).</dd>
 *   <dt>node index</dt>
 *   <dd>The dense number {@code 0 .. maxNodes-1} the join gives a node on first sight
 *       ({@link io.transitwatch.daemon.join.NodeIndex}), so per-node state lives in plain arrays.
 *       Every {@code int node}, {@code source} or {@code destination} inside this package is one.</dd>
 *   <dt>departure, arrival</dt>
 *   <dd>A flow the source node reported leaving it (forwarded at {@code to-network},
 *       {@code to-overlay} or {@code to-stack}), and one the destination node reported delivering
 *       ({@code to-endpoint}, {@code from-network}, {@code from-overlay}) or dropping
 *       ({@link io.transitwatch.daemon.join.FlowClassifier}).</dd>
 *   <dt>key</dt>
 *   <dd>(family, on-wire source, destination, ports, protocol, packet kind) in five longs
 *       ({@link io.transitwatch.daemon.join.FlowKey}); both directions of a connection are keyed.</dd>
 *   <dt>frame time</dt>
 *   <dd>A node-local event time moved onto the daemon's time line by the node's clock offset
 *       ({@link io.transitwatch.daemon.join.NodeClocks}); all comparisons between nodes use it.</dd>
 *   <dt>window, deadline</dt>
 *   <dd>W ({@code join.window}): how long a departure waits for its arrival; its deadline is its
 *       frame time plus W, plus its destination's extra wait when that node's clock is seen to run
 *       ahead of a peer's ({@link io.transitwatch.daemon.join.TransitBounds}).</dd>
 *   <dt>watermark</dt>
 *   <dd>The frame time up to which a node's events have all been received: its newest event, and,
 *       while its stream is up, caught up and idle, the daemon's time less the largest lateness of
 *       any node (a silent stream may be lagging as its peers were seen to).</dd>
 *   <dt>catching up</dt>
 *   <dd>A stream that came up (or back) but has not yet delivered an event from after that moment:
 *       its backfill may still be on the wire, so its watermark moves only with its events
 *       ({@link io.transitwatch.daemon.join.ObserverHealth}, ADR 0004).</dd>
 *   <dt>span</dt>
 *   <dd>A stretch of a node's time line its view cannot vouch for (before its stream started, down,
 *       a gap, lost events); a departure whose window overlaps one is UNVERIFIED, never LOST.</dd>
 *   <dt>lane</dt>
 *   <dd>The FIFO of pending departures to one destination node
 *       ({@link io.transitwatch.daemon.join.KeyedSlots}); lanes are decided independently, so a node
 *       that lags holds up no other.</dd>
 *   <dt>attempt</dt>
 *   <dd>One report of a departure: the first, or a retransmission of the same key (a SYN with
 *       {@code trace_reason} ESTABLISHED, a SYN-ACK reported again), counted on its entry.</dd>
 *   <dt>pair</dt>
 *   <dd>(source node, destination node, family): the unit of counts, incidents and the page's matrix.</dd>
 * </dl>
 *
 * <h2>Parts</h2>
 * <pre>
 *   JoinLoop ─► JoinEngine ─┬─ FlowClassifier   departure / arrival / ignored, packet kind, key word
 *                           ├─ Placements       where pods live, learned from flows
 *                           ├─ Observers        NodeIndex + NodeClocks + TransitBounds + ObserverHealth:
 *                           │                   time line, watermark, peers' clocks, spans
 *                           ├─ PendingDepartures / RememberedArrivals / LostHistory   (KeyedSlots tables)
 *                           ├─ Deadlines        what time alone decides
 *                           └─ Verdicts         every verdict counted and reported together ─► VerdictListener
 * </pre>
 */
package io.transitwatch.daemon.join;
