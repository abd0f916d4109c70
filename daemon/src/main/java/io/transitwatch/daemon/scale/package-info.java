/**
 * Scale-out on Kafka (DESIGN §8, issue #13): the event topic's records and keys shared by
 * {@code transitwatch collect} (which writes them) and {@code transitwatch correlate} (which feeds
 * them into the single-process join, unchanged).
 *
 * <pre>
 *  collector: NodeEvent ─► EventKeys.route ─► EventRecordWriter ─► producer (key, default partitioner)
 *                                     └─ stream health: every partition; heartbeats: every partition
 *  correlator: consumer ─► EventRecordReader ─► NodeEvent slot ─► JoinEngine (one per partition)
 * </pre>
 *
 * <p>The record layout is specified in {@code docs/event-topic.md}; the choices behind it are in the
 * ADR "scale-out on Kafka".
 */
package io.transitwatch.daemon.scale;
