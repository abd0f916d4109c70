package io.transitwatch.daemon.sim;

import io.transitwatch.daemon.sim.traffic.TruthRecorder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Thread-safe: the traffic thread records, any thread queries (one internal lock, short critical
 * sections). What really happened to every join-safe departure between two pods on different nodes
 * (first SYN, SYN-ACK, UDP NEW, and first ACK / PSH when the agents report them), and to every round
 * trip to a destination without arrival events (DESIGN §3.7), so that tests and benchmarks can score
 * a join's verdicts.
 *
 * <p>Bounded: the most recent {@code capacity} departures and as many round trips are kept; a reused
 * tuple (client address and port) replaces its older record. {@link Expectation}s are computed when queried, from what has been simulated so far.
 */
public final class GroundTruth implements TruthRecorder {
    /** How long after a departure the destination must have been observable for a loss to be knowable (DESIGN §3.3 default window). */
    public static final long OBSERVATION_WINDOW_NANOS = 5_000_000_000L;
    private static final int OUTAGES_KEPT_PER_NODE = 1024;

    private final Object lock = new Object();
    private final Map<TruthKey, Entry> entries;
    private final Map<RoundTripKey, RoundTripEntry> roundTrips;
    private final Map<String, ArrayDeque<long[]>> outages = new HashMap<>();
    private long simulatedUntilNanos = Long.MIN_VALUE;

    public GroundTruth(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.entries = new LinkedHashMap<>(1024, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<TruthKey, Entry> eldest) {
                return size() > capacity;
            }
        };
        this.roundTrips = new LinkedHashMap<>(1024, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<RoundTripKey, RoundTripEntry> eldest) {
                return size() > capacity;
            }
        };
    }

    /** A round trip's client side, what the join keys it on (DESIGN §3.7). */
    private record RoundTripKey(IpFamily family, L4Protocol protocol, String clientIp, int clientPort) {}

    /**
     * Every retained round trip accepted by {@code filter}, oldest attempt first, its expectation
     * judged as a join with window {@code window} must judge it: ANSWERED or REFUSED when the first
     * reply reached the client within the window (and both events were delivered), NO_REPLY when none
     * did while the client's node was observable for the whole window, UNOBSERVABLE otherwise; PENDING
     * until the window has been simulated. A reply after the window does not make it ANSWERED.
     */
    public List<RoundTripRecord> roundTripsWithin(Duration window, Predicate<RoundTripRecord> filter) {
        long windowNanos = window.toNanos();
        List<RoundTripRecord> out = new ArrayList<>();
        synchronized (lock) {
            for (RoundTripEntry entry : roundTrips.values()) {
                RoundTripRecord record = entry.snapshot(windowNanos);
                if (filter.test(record)) {
                    out.add(record);
                }
            }
        }
        return out;
    }

    // ---- queries (any thread) ----

    /** Every retained record, oldest departure first. */
    public List<TruthRecord> records() {
        return records(r -> true);
    }

    public List<TruthRecord> records(Predicate<TruthRecord> filter) {
        List<TruthRecord> out = new ArrayList<>();
        synchronized (lock) {
            for (Entry entry : entries.values()) {
                TruthRecord record = entry.snapshot();
                if (filter.test(record)) {
                    out.add(record);
                }
            }
        }
        return out;
    }

    /**
     * Every retained record accepted by {@code filter}, its expectation judged as a join with window
     * {@code window} must judge it (DESIGN §3.5), rather than "did any copy ever arrive": ARRIVED only
     * when the first copy arrived within {@code window} after the departure (a later arrival is LOST
     * for such a join, then LATE); PENDING until the window has been simulated; LOST when nothing
     * arrived within it while the destination was observable for all of it. Retransmissions that can
     * still arrive after the window do not keep a record PENDING, so a short run can be scored.
     */
    public List<TruthRecord> recordsWithin(Duration window, Predicate<TruthRecord> filter) {
        long windowNanos = window.toNanos();
        List<TruthRecord> out = new ArrayList<>();
        synchronized (lock) {
            for (Entry entry : entries.values()) {
                TruthRecord record = entry.snapshot(entry.expectationWithin(windowNanos));
                if (filter.test(record)) {
                    out.add(record);
                }
            }
        }
        return out;
    }

    public Optional<TruthRecord> find(TruthKey key) {
        synchronized (lock) {
            Entry entry = entries.get(key);
            return entry == null ? Optional.empty() : Optional.of(entry.snapshot());
        }
    }

    /** Counts of the retained records by expectation, for one directed node pair and family ({@code null} = any). */
    public Map<Expectation, Long> countByExpectation(String sourceNode, String destinationNode, IpFamily family) {
        Map<Expectation, Long> counts = new EnumMap<>(Expectation.class);
        for (Expectation e : Expectation.values()) {
            counts.put(e, 0L);
        }
        for (TruthRecord r : records(r -> (sourceNode == null || r.sourceNode().equals(sourceNode))
                && (destinationNode == null || r.destinationNode().equals(destinationNode))
                && (family == null || r.family() == family))) {
            counts.merge(r.expected(), 1L, Long::sum);
        }
        return counts;
    }

    /** True time up to which the traffic has been simulated. */
    public long simulatedUntilNanos() {
        synchronized (lock) {
            return simulatedUntilNanos;
        }
    }

    // ---- recording (traffic thread) ----

    @Override
    public Departure departed(TruthKey key, String sourceNode, String destinationNode, String sourcePod,
            String destinationPod, long trueNanos, long settleAfterNanos) {
        Entry entry = new Entry(key, sourceNode, destinationNode, sourcePod, destinationPod, trueNanos,
                settleAfterNanos);
        synchronized (lock) {
            entries.remove(key); // a reused tuple moves to the young end
            entries.put(key, entry);
        }
        return entry;
    }

    @Override
    public RoundTrip attempted(IpFamily family, L4Protocol protocol, String clientNode, String clientPod,
            String clientIp, int clientPort, String server, String serverIp, int serverPort, long trueNanos) {
        RoundTripKey key = new RoundTripKey(family, protocol, clientIp, clientPort);
        RoundTripEntry entry = new RoundTripEntry(key, clientNode, clientPod, server, serverIp, serverPort, trueNanos);
        synchronized (lock) {
            roundTrips.remove(key);
            roundTrips.put(key, entry);
        }
        return entry;
    }

    @Override
    public void unobservable(String node, long fromNanos, long toNanos) {
        synchronized (lock) {
            ArrayDeque<long[]> list = outages.computeIfAbsent(node, n -> new ArrayDeque<>());
            list.addLast(new long[] {fromNanos, toNanos});
            if (list.size() > OUTAGES_KEPT_PER_NODE) {
                list.removeFirst();
            }
        }
    }

    @Override
    public void observableAgain(String node, long atNanos) {
        synchronized (lock) {
            ArrayDeque<long[]> list = outages.get(node);
            if (list != null && !list.isEmpty() && list.peekLast()[1] == Long.MAX_VALUE) {
                list.peekLast()[1] = atNanos;
            }
        }
    }

    @Override
    public void simulatedUntil(long trueNanos) {
        synchronized (lock) {
            simulatedUntilNanos = trueNanos;
        }
    }

    /** Caller holds the lock. */
    private boolean unobservableDuring(String node, long from, long to) {
        ArrayDeque<long[]> list = outages.get(node);
        if (list == null) {
            return false;
        }
        for (Iterator<long[]> it = list.descendingIterator(); it.hasNext(); ) {
            long[] outage = it.next();
            if (outage[0] <= to && outage[1] >= from) {
                return true;
            }
        }
        return false;
    }

    /** Mutable state of one departure; every access holds the outer lock. */
    private final class Entry implements Departure {
        private final TruthKey key;
        private final String sourceNode;
        private final String destinationNode;
        private final String sourcePod;
        private final String destinationPod;
        private final long departureNanos;
        private final long settleAfterNanos;
        private Boolean departureObservable;
        private long departureEventTimeNanos;
        private int departureReports = 1;
        private int transmissions;
        private long arrivedNanos = -1;
        private boolean dropped;
        private Boolean arrivalObservable;

        Entry(TruthKey key, String sourceNode, String destinationNode, String sourcePod, String destinationPod,
                long departureNanos, long settleAfterNanos) {
            this.key = key;
            this.sourceNode = sourceNode;
            this.destinationNode = destinationNode;
            this.sourcePod = sourcePod;
            this.destinationPod = destinationPod;
            this.departureNanos = departureNanos;
            this.settleAfterNanos = settleAfterNanos;
        }

        @Override
        public void departureEmitted(boolean observable, long eventTimeNanos) {
            synchronized (lock) {
                departureObservable = observable;
                departureEventTimeNanos = eventTimeNanos;
            }
        }

        @Override
        public void departureReportedAgain() {
            synchronized (lock) {
                departureReports++;
            }
        }

        @Override
        public void transmitted() {
            synchronized (lock) {
                transmissions++;
            }
        }

        @Override
        public void arrived(long trueNanos, boolean droppedThere) {
            synchronized (lock) {
                if (arrivedNanos < 0) {
                    arrivedNanos = trueNanos;
                    dropped = droppedThere;
                }
            }
        }

        @Override
        public void arrivalEmitted(boolean observable) {
            synchronized (lock) {
                if (arrivalObservable == null) {
                    arrivalObservable = observable;
                }
            }
        }

        TruthRecord snapshot() {
            return snapshot(expectation());
        }

        TruthRecord snapshot(Expectation expected) {
            return new TruthRecord(key, sourceNode, destinationNode, sourcePod, destinationPod, departureNanos,
                    departureEventTimeNanos, departureReports, transmissions, arrivedNanos,
                    Boolean.TRUE.equals(arrivalObservable), dropped, expected);
        }

        /** See {@link GroundTruth#recordsWithin}. */
        private Expectation expectationWithin(long windowNanos) {
            if (departureObservable == null) {
                return Expectation.PENDING;
            }
            if (!departureObservable) {
                return Expectation.UNOBSERVABLE;
            }
            long deadline = departureNanos + windowNanos;
            if (arrivedNanos >= 0 && arrivedNanos <= deadline) {
                if (arrivalObservable == null) {
                    return Expectation.PENDING;
                }
                return arrivalObservable ? Expectation.ARRIVED : Expectation.UNOBSERVABLE;
            }
            if (simulatedUntilNanos < deadline) {
                return Expectation.PENDING;
            }
            return unobservableDuring(destinationNode, departureNanos, deadline)
                    ? Expectation.UNOBSERVABLE
                    : Expectation.LOST;
        }

        private Expectation expectation() {
            if (departureObservable == null) {
                return Expectation.PENDING;
            }
            if (!departureObservable) {
                return Expectation.UNOBSERVABLE;
            }
            if (arrivedNanos >= 0) {
                if (arrivalObservable == null) {
                    return Expectation.PENDING;
                }
                return arrivalObservable ? Expectation.ARRIVED : Expectation.UNOBSERVABLE;
            }
            if (simulatedUntilNanos < settleAfterNanos) {
                return Expectation.PENDING;
            }
            return unobservableDuring(destinationNode, departureNanos, departureNanos + OBSERVATION_WINDOW_NANOS)
                    ? Expectation.UNOBSERVABLE
                    : Expectation.LOST;
        }
    }

    /** Mutable state of one round trip; every access holds the outer lock. */
    private final class RoundTripEntry implements RoundTrip {
        private final RoundTripKey key;
        private final String clientNode;
        private final String clientPod;
        private final String server;
        private final String serverIp;
        private final int serverPort;
        private final long attemptNanos;
        private Boolean attemptObservable;
        private long replyNanos = -1;
        private boolean refused;
        private Boolean replyObservable;

        RoundTripEntry(RoundTripKey key, String clientNode, String clientPod, String server, String serverIp,
                int serverPort, long attemptNanos) {
            this.key = key;
            this.clientNode = clientNode;
            this.clientPod = clientPod;
            this.server = server;
            this.serverIp = serverIp;
            this.serverPort = serverPort;
            this.attemptNanos = attemptNanos;
        }

        @Override
        public void attemptEmitted(boolean observable) {
            synchronized (lock) {
                if (attemptObservable == null) {
                    attemptObservable = observable;
                }
            }
        }

        @Override
        public void replied(long trueNanos, boolean wasRefused) {
            synchronized (lock) {
                if (replyNanos < 0) {
                    replyNanos = trueNanos;
                    refused = wasRefused;
                }
            }
        }

        @Override
        public void replyEmitted(boolean observable) {
            synchronized (lock) {
                if (replyObservable == null) {
                    replyObservable = observable;
                }
            }
        }

        RoundTripRecord snapshot(long windowNanos) {
            return new RoundTripRecord(key.family(), key.protocol(), clientNode, clientPod, key.clientIp(),
                    key.clientPort(), server, serverIp, serverPort, attemptNanos, replyNanos, refused,
                    Boolean.TRUE.equals(replyObservable), expectation(windowNanos));
        }

        private RoundTripExpectation expectation(long windowNanos) {
            if (attemptObservable == null) {
                return RoundTripExpectation.PENDING;
            }
            if (!attemptObservable) {
                return RoundTripExpectation.UNOBSERVABLE;
            }
            long deadline = attemptNanos + windowNanos;
            if (replyNanos >= 0 && replyNanos <= deadline) {
                if (replyObservable == null) {
                    return RoundTripExpectation.PENDING;
                }
                if (!replyObservable) {
                    return RoundTripExpectation.UNOBSERVABLE;
                }
                return refused ? RoundTripExpectation.REFUSED : RoundTripExpectation.ANSWERED;
            }
            if (simulatedUntilNanos < deadline) {
                return RoundTripExpectation.PENDING;
            }
            return unobservableDuring(clientNode, attemptNanos, deadline)
                    ? RoundTripExpectation.UNOBSERVABLE
                    : RoundTripExpectation.NO_REPLY;
        }
    }
}
