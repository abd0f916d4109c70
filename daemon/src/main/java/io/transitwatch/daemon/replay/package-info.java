/**
 * {@code transitwatch replay}: Hubble captures judged offline by the join that runs live.
 *
 * <pre>
 *  FILE... / -      CaptureInput      gzip detected by its magic bytes
 *     │             LineReader        UTF-8 lines, at most 4 MiB each
 *     ▼             CaptureLineParser jsonpb / exporter / legacy bare Flow → GetFlowsResponse bytes
 *  per capture      FlowDecoder       the live ingest's decoder → NodeEvent
 *     │             ReorderBuffer     the next 4096 events (--reorder-buffer), earliest first
 *     ▼
 *  CaptureMerge     k-way merge on event time; GAP + NODE_UP where a node's capture starts,
 *     │             NODE_DOWN where its last capture ends
 *     ▼
 *  Replay           ManualClock = event time; JoinAssembly (engine, topology, alerts, incidents)
 *     │             from the same Settings as the daemon; at the end, time runs on until all is decided
 *     ▼
 *  alerts and incident changes (stdout), then ReplaySummary (SummaryText / SummaryJson)
 * </pre>
 *
 * <p>{@link io.transitwatch.daemon.replay.CaptureWriter} is the other direction: it writes what the
 * simulator's nodes emit in the same {@code hubble observe -o jsonpb} format
 * ({@code transitwatch simulate --record}). Everything here runs on the caller's thread; no thread is
 * started.
 */
package io.transitwatch.daemon.replay;
