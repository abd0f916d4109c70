package io.transitwatch.daemon.ingest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Thread-safe: sources are added by ingest threads, read by metrics from any thread.
 *
 * <p>The per-source {@link NodeIngestState}s of one {@link HubbleIngest}, by name.
 */
public final class IngestState {
    /** Name of the entry that describes the relay stream itself in relay mode. */
    public static final String RELAY = "relay";

    private final ConcurrentMap<String, NodeIngestState> sources = new ConcurrentHashMap<>();
    /** Hubble (or Relay) version by source name, as the server last said; absent until it did. */
    private final ConcurrentMap<String, String> hubbleVersions = new ConcurrentHashMap<>();
    private final RequestProfile initialProfile;
    private final OverloadSignal overload;

    /** @param initialProfile the request every source tries first */
    public IngestState(RequestProfile initialProfile) {
        this(initialProfile, new OverloadSignal(null, io.transitwatch.daemon.clock.Clock.SYSTEM));
    }

    /** @param overload what says whether the daemon sheds load, fed by every stream */
    public IngestState(RequestProfile initialProfile, OverloadSignal overload) {
        this.initialProfile = initialProfile;
        this.overload = overload;
    }

    /** Whether the daemon sheds load now, and how much its servers skipped for it. */
    public OverloadSignal overload() {
        return overload;
    }

    /** The state of {@code name}, or null if the ingest never heard of it. */
    public NodeIngestState node(String name) {
        return sources.get(name);
    }

    /** A snapshot of every source, sorted by name. */
    public List<NodeIngestState> nodes() {
        return sources.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    /** Whether the field mask is accepted by {@code name}'s server (true when unknown). */
    public boolean fieldMaskSupported(String name) {
        NodeIngestState state = sources.get(name);
        return state == null || state.fieldMaskSupported();
    }

    /**
     * The Hubble version {@code name}'s server reported (Relay's {@code GetNodes} for a node behind
     * Relay, the server's {@code ServerStatus} otherwise), or null if none was learned.
     */
    public String hubbleVersion(String name) {
        return hubbleVersions.get(name);
    }

    /** Every version learned so far, by source name: an immutable snapshot. */
    public Map<String, String> hubbleVersions() {
        return Map.copyOf(hubbleVersions);
    }

    /** Records what {@code name}'s server said its version is; an empty answer teaches nothing. */
    void hubbleVersion(String name, String version) {
        if (version != null && !version.isEmpty()) {
            hubbleVersions.put(name, version);
        }
    }

    NodeIngestState register(String name) {
        return sources.computeIfAbsent(name, n -> new NodeIngestState(n, initialProfile));
    }
}
