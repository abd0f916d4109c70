package io.transitwatch.daemon.scenario;

import io.transitwatch.daemon.sim.Fault;
import io.transitwatch.daemon.sim.Scenario;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Stateless. The scenarios of {@code docs/detection.md} (issues #6, #11): what each injects into the
 * simulated cluster, which thresholds apply to it, and why its numbers come out as they do. Both
 * {@link DetectionReport} (which runs them) and {@link DetectionDocTest} (which checks the written
 * doc has a passing row for each) read this one list.
 */
final class DetectionMatrix {
    /** What a correct join must show for a scenario; see {@link DetectionRow#failures()}. */
    enum Expect {
        /**
         * Packets are really lost while the destination observer is healthy, or attempts stay unanswered
         * (or are refused) while the client's observer is healthy: precision, recall and latency apply.
         */
        LOSS,
        /** Nothing is lost: no alert of any kind. */
        NO_LOSS,
        /**
         * Nothing is lost but the destination observer is unhealthy for part of the time: no alert
         * (0 LOST above all), recall n/a; what the join could not see is UNVERIFIED.
         */
        OBSERVER_UNHEALTHY
    }

    /**
     * One scenario of the matrix.
     *
     * @param name     the row's name; a preset's name when it runs a preset unchanged but for seed and rate
     * @param scenario faults and rate (the seed is set by the report)
     * @param what     what the scenario does to the cluster (markdown)
     * @param why      why its numbers are what they are (markdown)
     */
    record Case(String name, Scenario scenario, Expect expect, String what, String why) {
        Case {
            scenario = scenario.toBuilder().name(name).build();
        }

        /** The same with {@code connectionsPerSecond} new connections per second. */
        Case at(double connectionsPerSecond) {
            return new Case(name, scenario.toBuilder().connectionsPerSecond(connectionsPerSecond).build(), expect,
                    what, why);
        }
    }

    /** New connections per second, cluster-wide, unless {@link #RATES} says otherwise. */
    static final double RATE = 200;
    /**
     * Rarer losses need more traffic for a sample worth scoring: judged losses are about a quarter of
     * the connections (DNS) times the loss rate (see random-loss-0.001's explanation).
     */
    private static final Map<String, Double> RATES = Map.of("random-loss-0.001", 2000.0, "random-loss-0.01", 1000.0);

    /** Solwk02's stream down three times for 2 s, 5 s apart, each time back with an empty ring (agent restarts). */
    private static final Scenario STREAM_FLAPPING = Scenario.builder().name("stream-flapping")
            .fault(new Fault.StreamDown("solwk02", Duration.ofSeconds(4), Duration.ofSeconds(2)))
            .fault(new Fault.StreamDown("solwk02", Duration.ofSeconds(9), Duration.ofSeconds(2)))
            .fault(new Fault.StreamDown("solwk02", Duration.ofSeconds(14), Duration.ofSeconds(2)))
            .build();

    /**
     * The Hubble servers of solwk02 and solwk03 unreachable again and again, 2-4 s each, about every
     * 8 s at random phases, while their agents keep recording (issue #16).
     */
    private static final Scenario STREAM_BREAKS = Scenario.builder().name("stream-breaks")
            .fault(new Fault.StreamBreaks("solwk02", Duration.ofSeconds(2), Duration.ofSeconds(8),
                    Duration.ofSeconds(2), Duration.ofSeconds(4)))
            .fault(new Fault.StreamBreaks("solwk03", Duration.ofSeconds(2), Duration.ofSeconds(8),
                    Duration.ofSeconds(2), Duration.ofSeconds(4)))
            .build();

    /** The lost-events preset's overflow (200 events on solwk02), every 4 s instead of every 30 s, so a run has several. */
    private static final Scenario LOST_EVENTS = Scenario.builder().name("lost-events")
            .fault(new Fault.LostEvents("solwk02", Duration.ofSeconds(3), 200, Duration.ofSeconds(4)))
            .build();

    static final List<Case> CASES = Stream.of(
            new Case("healthy", Scenario.preset("healthy"), Expect.NO_LOSS,
                    "No fault: every packet arrives, every node's Hubble is healthy, clocks agree.",
                    "Nothing is lost, so the only possible errors are false alerts. The few UNVERIFIED are start-up "
                            + "only: departures whose window began before their destination's stream had "
                            + "delivered (NO_OBSERVER)."),
            new Case("pair-blackhole", Scenario.preset("pair-blackhole"), Expect.LOSS,
                    "Every packet from solwk01 to solwk02 (both families) vanishes after the source reported it "
                            + "`to-network`; every other path works.",
                    "The judged losses are the SYNs from solwk01 and the SYN-ACKs solwk01 sends back to clients on "
                            + "solwk02 (CoreDNS runs on solcp01 and solcp02 only, so no DNS crosses this pair). A blackholed SYN is retransmitted "
                            + "(ESTABLISHED, same tuple): the join counts it as an attempt of the pending entry, so "
                            + "each lost handshake gives exactly one alert. solwk02 keeps delivering its other "
                            + "traffic, so its watermark moves and every loss is decided about one window after "
                            + "the departure; through Relay a little later (see *latency* above)."),
            new Case("family-blackhole", Scenario.preset("family-blackhole"), Expect.LOSS,
                    "Every cross-node IPv6 packet vanishes (the DESIGN §1 incident, cluster-wide); IPv4 works.",
                    "IPv6 carries about 40 % of the judged cross-node departures, hence the judged losses. Every node "
                            + "still delivers "
                            + "its IPv4 traffic and its own departures, so every destination's watermark advances "
                            + "and every IPv6 loss is decided on time."),
            new Case("all-cross-node-blackhole", Scenario.preset("all-cross-node-blackhole"), Expect.LOSS,
                    "Every packet between two different nodes vanishes; only same-node traffic arrives.",
                    "Every judged departure is lost and nothing matches. No destination reports any arrival of "
                            + "cross-node traffic, so watermarks advance only with each node's own departures, "
                            + "same-node traffic and, when idle, the daemon's clock minus the stream's lateness "
                            + "(DESIGN §3.3): expiry never waits on a silent pair."),
            new Case("random-loss-0.001", Scenario.preset("random-loss-0.001"), Expect.LOSS,
                    "Each cross-node packet is lost independently with probability 0.1 %.",
                    "A lost SYN or SYN-ACK is retransmitted a second later and arrives within the window: that is "
                            + "MATCHED for a correct join, not a loss. A lost DNS query is retried only after 5 s "
                            + "(plus up to 300 ms), so it is LOST, then LATE when the retry arrives (the other "
                            + "alerts). Judged losses are therefore about a quarter of the connections times the "
                            + "loss rate: even at ten times the usual rate only a handful per run at 0.1 %, so this "
                            + "row's recall rests on few samples (the 1 % and 10 % rows carry the statistics), and "
                            + "retries landing within 50 ms of the window's end are not scored. At this rate, on a "
                            + "loaded 2-core machine, the simulated Relay's reader can fall behind a node's ring, "
                            + "which Hubble reports as lost events: the join then says UNVERIFIED(LOST_EVENTS), "
                            + "never LOST."),
            new Case("random-loss-0.01", Scenario.preset("random-loss-0.01"), Expect.LOSS,
                    "Each cross-node packet is lost independently with probability 1 %.",
                    "As for 0.1 %, at five times the usual rate: lost handshake packets recover by retransmission "
                            + "within the window; lost DNS queries (retried after 5 s) are the judged losses, and "
                            + "their retries give LATE alerts."),
            new Case("random-loss-0.1", Scenario.preset("random-loss-0.1"), Expect.LOSS,
                    "Each cross-node packet is lost independently with probability 10 %.",
                    "Mostly lost DNS queries again; at 10 % a SYN-ACK and the ones answering the client's SYN "
                            + "retransmissions at +1 s and +3 s are all lost now and then, and the handshake is "
                            + "lost for a 5 s window (its retransmission at +7 s arrives: LATE). The join must not "
                            + "alert such a handshake twice when that SYN-ACK is reported again (one alert per "
                            + "lost handshake; see *false positives*). Retries landing within 50 ms of the window's "
                            + "end are not scored."),
            new Case("stream-flapping", STREAM_FLAPPING, Expect.OBSERVER_UNHEALTHY,
                    "solwk02's Hubble goes down three times for 2 s, 5 s apart (relay mode: Relay reports "
                            + "NODE_ERROR; nodes mode: its server refuses connections), and each time comes back "
                            + "with an empty ring, as after an agent restart, so the daemon's `since` backfill "
                            + "cannot cover the outage.",
                    "Nothing is lost in transit, but the arrivals at solwk02 during an outage are never reported. "
                            + "The join must call the departures to solwk02 whose window overlaps an outage "
                            + "UNVERIFIED, never LOST: a departure waits up to `join.down-grace` (10 s) for a "
                            + "disconnected destination to come back, so with 2 s outages each comes back in time "
                            + "and the hole in its events is a GAP. About a tenth of all departures go to solwk02 "
                            + "while its windows overlap one of the three holes, hence the UNVERIFIED share. "
                            + "Recall is n/a: no judged loss."),
            new Case("stream-breaks", STREAM_BREAKS, Expect.OBSERVER_UNHEALTHY,
                    "The Hubble servers of solwk02 and solwk03 become unreachable for 2-4 s, about every 8 s, at "
                            + "random phases (nodes mode: the server refuses connections; relay mode: Relay reports "
                            + "NODE_ERROR and resumes the node later), while their agents keep recording, as when a "
                            + "network path or Hubble's listener breaks and comes back.",
                    "Nothing is lost. In nodes mode the daemon reconnects with `since` and re-reads each break "
                            + "from Hubble's ring; a departure to the node whose deadline falls while that backfill "
                            + "is still on the wire must wait for it (issue #16: a node is catching up until it "
                            + "delivers an event from after it came back), so it is MATCHED, not LOST, and the "
                            + "UNVERIFIED share stays near 0. In relay mode Relay resumes the node from \"now\": each "
                            + "break is a GAP and the departures whose window overlaps it are UNVERIFIED, and a node "
                            + "counts as back only with its first event after `hubble.relay-straggler-window` (3 s), "
                            + "since Relay's sort buffer still sends events from before the break after its "
                            + "NODE_ERROR, hence the larger UNVERIFIED share. Five more seeds per mode (11, 22, 33, "
                            + "44, 55) also gave 0 alerts: ADR 0004."),
            new Case("lost-events", LOST_EVENTS, Expect.OBSERVER_UNHEALTHY,
                    "solwk02's perf ring overflows every 4 s from 3 s on: its next 200 events (or as many as come "
                            + "within a second, when the agent's reader catches up) are dropped and reported as one "
                            + "PERF_EVENT_RING_BUFFER LostEvent with the v1.19 first/last times.",
                    "Nothing is lost in transit, but arrivals at solwk02 go unreported. Departures to solwk02 whose "
                            + "window overlaps a reported loss (the LostEvent's first/last times, widened by the "
                            + "watermark slack) are UNVERIFIED (LOST_EVENTS), never LOST; the rest still match. "
                            + "The report must reach the join before those windows are decided: it does, since an "
                            + "overflow lasts at most a second. (It once did not: the simulator held the report "
                            + "back until the run's full count of events had come, and an overflow that began "
                            + "just as the traffic stopped was never reported, so its swallowed arrivals read as "
                            + "losses, 3 false alerts in one relay run.)"),
            new Case("clock-skew", Scenario.preset("clock-skew"), Expect.NO_LOSS,
                    "Node clocks are off by up to ±2 s (solwk01 +2 s, solwk02 −2 s, solcp02 −1.2 s, solwk03 "
                            + "+0.9 s, solcp03 +0.4 s); `Flow.time` carries the skew.",
                    "The join places each node's event times on its own time line from the minimum receive "
                            + "delay (ADR 0002), so 4 s of skew between solwk01 and solwk02 shifts no window."),
            new Case("snat", Scenario.preset("snat"), Expect.NO_LOSS,
                    "10 % of IPv4 pod-to-pod connections are masqueraded to the node IP: the departure carries "
                            + "`IP.source_xlated` and the post-SNAT port; the destination sees the node IP.",
                    "The join keys departures on the on-wire source (DESIGN §3.2), so translated departures match "
                            + "their arrivals."),
            new Case("relay-reorder", Scenario.preset("relay-reorder"), Expect.NO_LOSS,
                    "Every event of solwk03 reaches its ring 1.5 s late with its own time (a backlogged agent): "
                            + "the arrivals of solwk03's departures are delivered 1.5 s before the departures.",
                    "Arrivals are remembered for window + skew, so an arrival processed before its departure "
                            + "still matches, and the join learns solwk03's lag from its matched departures (ADR "
                            + "0002). The only UNVERIFIED are at start-up (NO_OBSERVER)."),
            new Case("retransmit-recovery", Scenario.preset("retransmit-recovery"), Expect.NO_LOSS,
                    "5 % of cross-node TCP connections lose their first SYN; the retransmission a second later "
                            + "arrives.",
                    "The retransmitted SYN (ESTABLISHED) is an attempt of the same pending entry, and it arrives "
                            + "within the window: MATCHED, no alert."),
            new Case("asymmetric-loss", Scenario.preset("asymmetric-loss"), Expect.LOSS,
                    "30 % of the packets from solwk02 to solwk01 are lost; solwk01 → solwk02 works. Requests "
                            + "from solwk01 arrive, but 30 % of the SYN-ACKs solwk02 sends back do not.",
                    "Both directions are keyed, so a lost SYN-ACK is a loss on solwk02 → solwk01; SYNs from "
                            + "solwk02 to solwk01 are lost too. A handshake is lost for the window only when the "
                            + "SYN-ACKs answering the SYN and its retransmissions at +1 s and +3 s are all lost; "
                            + "the one answering the retransmission at +7 s often arrives (LATE) and is reported "
                            + "again by solwk02 at about the same time: whichever the join sees first, that is an "
                            + "attempt of the lost handshake, not a new loss (see *false positives*)."),
            new Case("apiserver-noreply", Scenario.preset("apiserver-noreply"), Expect.LOSS,
                    "Pods dial the API server's ClusterIP (`fd00:101:96::1:443`, `10.101.96.1:443`); bpf_lxc DNATs "
                            + "to a control-plane node's `:6443` (identity kube-apiserver), and the reply is "
                            + "reverse-NATed (`source_xlated` = ClusterIP). solwk01's IPv6 SYNs to it are never "
                            + "answered; IPv4, and every other node, work (the CoreDNS / external-secrets incident).",
                    "No arrival is ever reported for a node's host stack, so the client's node judges the round "
                            + "trip (DESIGN §3.7): a SYN without a SYN-ACK delivered to the client within the window "
                            + "is NO_REPLY. The SYN's retransmissions at +1 s and +3 s are not reported (aggregation) "
                            + "and the one at +7 s is an attempt of the decided entry, so each connection is one "
                            + "alert. solwk01 keeps delivering its other traffic, so its own watermark decides each "
                            + "attempt about one window after it left."),
            new Case("dns-host-noreply", Scenario.preset("dns-host-noreply"), Expect.LOSS,
                    "Pods query a host-network DNS forwarder on the workers' node addresses (UDP 53, identity "
                            + "remote-node); the one on solwk03 stops answering.",
                    "Every query to solwk03's address is a round trip on its client's node with no reply: NO_REPLY "
                            + "(`join.round-trip-udp-ports` = 53). The stub resolver retries after 5 s on the same "
                            + "tuple; that retry is reported only on the 5 s interval, as ESTABLISHED, so it is no "
                            + "new attempt: one alert per query."),
            new Case("refused", Scenario.preset("refused"), Expect.LOSS,
                    "The kubelet on solwk03 is down: metrics-server's connections to `:10250` on solwk03's node "
                            + "address are answered with a RST.",
                    "The RST delivered to the client is the round trip's reply: REFUSED, never NO_REPLY (DESIGN "
                            + "§3.7). It comes within milliseconds, so these are decided on sight, not at the "
                            + "window's end: the latency is the stream's delivery time."),
            new Case("healthy-first-data", Scenario.preset("healthy-first-data"), Expect.NO_LOSS,
                    "No fault, with Helm's `monitor-aggregation-flags: all`: both nodes also report each "
                            + "connection's third-handshake ACK and the first PSH segment of each direction.",
                    "The join keys on first data too (FIRST-ACK, FIRST-PSH, DESIGN §3.8) and tells a first segment "
                            + "from the later ones reported every 5 s with the same flags, so nothing is alerted."),
            new Case("mtu-blackhole", Scenario.preset("mtu-blackhole"), Expect.LOSS,
                    "Full-size packets from solwk02 to solwk01 vanish (an MTU blackhole), with Helm's "
                            + "`monitor-aggregation-flags: all`. SYN, SYN-ACK, ACKs and requests are small and "
                            + "pass; the first response of each server on solwk02 to a client on solwk01 does not.",
                    "The judged losses are FIRST-PSH segments from solwk02 to solwk01, one per connection, while "
                            + "those connections' SYN and SYN-ACK match; the incident says \"handshake completes, "
                            + "first data segment lost: suspect MTU / fragmentation\". Later responses of the same "
                            + "connection carry no new flag, so they are no new losses."))
            .map(c -> c.at(RATES.getOrDefault(c.name(), RATE))).toList();

    private DetectionMatrix() {}

    static Case get(String name) {
        return CASES.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario '" + name + "' in the matrix"));
    }
}
