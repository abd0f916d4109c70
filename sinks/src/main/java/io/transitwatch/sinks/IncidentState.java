package io.transitwatch.sinks;

/** The two states an incident of one (source node, destination node, family) moves between. */
public enum IncidentState {
    FIRING,
    RESOLVED
}
