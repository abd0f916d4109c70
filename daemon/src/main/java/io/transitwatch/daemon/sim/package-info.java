/**
 * A simulated Cilium cluster that speaks the Hubble gRPC API on real TCP sockets: the workload of
 * the demo, of the ingest and join integration tests, and of the benchmarks.
 *
 * <pre>
 *  Scenario (seed, rate, faults) ─┐
 *                                 ▼
 *  traffic   TrafficGenerator ── Conversation (TcpConnection, UdpExchange) ── per packet:
 *            (transitwatch-sim-    sender CT lookup ─► to-network event ─► wire (faults) ─► receiver CT
 *             traffic thread)      lookup ─► to-endpoint / DROPPED event          │
 *                                  EventEmitter: perf-read delay, node clock skew, lag,
 *                                  lost-events runs, Hubble down ─► NodeHubble ring  ──► GroundTruth
 *  hubble    NodeHubble (ring of 4095) ◄── RingCursor (since / number / first / follow, filters,
 *            field mask, HUBBLE_RING_BUFFER loss) ◄── FlowStreamPump (isReady / onReady)
 *            NodeObserverService, PeerService                       ─► one server per node (NODES)
 *  relay     RelayObserverService: the same query on every node, sort buffer, node_status ─► RELAY
 * </pre>
 *
 * <p>Everything the generator does follows hubble-api.md §2-§5 for native routing with BPF host
 * routing under {@code monitorAggregation: medium}: which packets each node reports, with which
 * trace reason, and what never shows up (same-node traffic at {@code to-network}, arrivals at host
 * or internet addresses). {@link io.transitwatch.daemon.sim.Simulator} is the entry point; the
 * {@code traffic}, {@code hubble} and {@code relay} packages are its internals.
 *
 * <p>Threads, all owned and stopped by {@code Simulator}: {@code transitwatch-sim-traffic},
 * {@code transitwatch-sim-stream-*}, {@code transitwatch-sim-control},
 * {@code transitwatch-sim-grpc-*}, {@code transitwatch-sim-netty(-boss)-*}.
 */
package io.transitwatch.daemon.sim;
