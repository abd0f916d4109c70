package io.transitwatch.daemon.scale;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Immutable, so safe from any thread.
 *
 * <p>Verdicts of one node pair (or one round-trip destination) decided by one correlator partition
 * during one transaction, as written to {@code scale.topic.pair-counts} (JSON, key
 * {@code "<source>|<destination>"} like the alerts) for the incident stage. The incident tracker
 * needs the matched and unverified counts beside the alerts: an incident resolves only once
 * matches have resumed.
 *
 * @param kind {@link #PAIR} (two-end join: destination is a node) or {@link #ROUND_TRIP}
 *     (destination is a node, {@code kube-apiserver}, {@code host} or {@code world})
 */
public record PairCount(String kind, String source, String destination, String family, long matched, long lost,
        long dropped, long late, long unverified, long answered, long noReply, long refused) {
    public static final String PAIR = "pair";
    public static final String ROUND_TRIP = "round-trip";
    /** Fields a newer correlator adds are ignored, as event records ignore trailing bytes. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The record key, as the alerts' ({@code KafkaSink}): one pair's counts and alerts share a partition. */
    public String key() {
        return source + "|" + destination;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsString(this).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("a PairCount is always writable", e);
        }
    }

    /** @throws IOException when {@code json} is not a pair count (the caller counts and skips it) */
    public static PairCount fromJson(byte[] json) throws IOException {
        PairCount count = JSON.readValue(json, PairCount.class);
        if (count.kind == null || count.source == null || count.destination == null || count.family == null) {
            throw new IOException("a pair count needs kind, source, destination and family");
        }
        return count;
    }
}
