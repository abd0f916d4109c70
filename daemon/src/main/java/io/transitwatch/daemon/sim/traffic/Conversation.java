package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.Fault;
import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.L4Protocol;
import io.transitwatch.daemon.sim.PacketKind;
import io.transitwatch.daemon.sim.Pod;
import io.transitwatch.daemon.sim.SimNode;
import io.transitwatch.daemon.sim.TruthKey;
import io.transitwatch.proto.flow.TraceReason;
import java.util.function.LongConsumer;

/**
 * Single-threaded: owned by the traffic thread. One transport conversation between a client pod and
 * a server (pod, node address or internet host), and what each node's datapath reports about its
 * packets. Subclasses script the protocol ({@link TcpConnection}, {@link UdpExchange}); this class
 * moves single packets: CT lookup and trace at the sender, the wire and its faults, CT lookup and
 * trace (or policy drop) at the receiver.
 *
 * <p>When the client's connections are masqueraded ({@code wireClientIp} is its node's IP), the
 * client's node reports the pre-SNAT source with {@code source_xlated}, the server sees the node IP
 * as source (identity remote-node), and replies are reverse-translated before reaching the pod.
 *
 * <p>A conversation through a ClusterIP ({@code frontend}, per-packet load balancing in bpf_lxc)
 * leaves already DNATed to the backend (hubble-api.md §4.2); its replies reach the client after
 * reverse NAT, reported with the backend as source and the service address as {@code source_xlated}.
 * A conversation with a server that never reports arrivals (a host address, the internet) is a round
 * trip on the client's node, whose ground truth it records (DESIGN §3.7).
 */
abstract class Conversation {
    protected final Datapath datapath;
    protected final long id;
    protected final IpFamily family;
    protected final L4Protocol protocol;
    protected final Pod client;
    protected final Peer clientPeer;
    protected final Peer server;
    protected final int clientPort;
    protected final int serverPort;
    /** The client as the wire and the server see it: the node IP and a post-SNAT port when masqueraded. */
    private final Peer wireClient;
    private final String wireClientIp;
    private final int wireClientPort;
    /** The service the client dialled (its ClusterIP and port), or null for a direct connection. */
    private final TrafficMix.Frontend frontend;
    /** How the client's node reports this conversation's packets leaving when they are masqueraded. */
    private Fault.Snat.Reports masqueradedReports = Fault.Snat.Reports.AFTER_SNAT;
    private TruthRecorder.RoundTrip roundTrip;
    private boolean attemptReported;
    private boolean replyArrived;
    /** When the latest packet of each direction (client to server, server to client) arrives: one path keeps a flow's order. */
    private long clientPacketArrives = Long.MIN_VALUE;
    private long serverPacketArrives = Long.MIN_VALUE;

    Conversation(Datapath datapath, long id, IpFamily family, L4Protocol protocol, Pod client, Peer server,
            int clientPort, int serverPort, Peer wireClient, int wireClientPort, TrafficMix.Frontend frontend) {
        this.datapath = datapath;
        this.id = id;
        this.family = family;
        this.protocol = protocol;
        this.client = client;
        this.clientPeer = Peer.of(client);
        this.server = server;
        this.clientPort = clientPort;
        this.serverPort = serverPort;
        this.wireClient = wireClient;
        this.wireClientIp = wireClient.ip(family);
        this.wireClientPort = wireClientPort;
        this.frontend = frontend;
    }

    /** Starts the conversation at true time {@code nowNanos}. */
    abstract void open(long nowNanos);

    protected boolean crossesWire() {
        return Peer.crossesWire(clientPeer, server);
    }

    protected boolean masqueraded() {
        return !wireClient.equals(clientPeer);
    }

    /**
     * Starts ground truth for a join-safe packet: pod to pod on different nodes, addressed to a pod
     * (a masqueraded client's replies go to a node address, which is not joinable).
     */
    protected Tracked track(PacketKind kind, boolean fromClient, long nowNanos, long settleAfterNanos) {
        if (!server.isPod() || !crossesWire() || (!fromClient && masqueraded())) {
            return null;
        }
        TruthKey key = fromClient
                ? new TruthKey(family, wireClientIp, server.ip(family), wireClientPort, serverPort, protocol, kind)
                : new TruthKey(family, server.ip(family), client.ip(family), serverPort, clientPort, protocol, kind);
        Peer from = fromClient ? clientPeer : server;
        Peer to = fromClient ? server : clientPeer;
        return new Tracked(datapath.truth.departed(key, from.node().name(), to.node().name(), from.name(), to.name(),
                nowNanos, settleAfterNanos));
    }

    /**
     * Starts ground truth for a join-safe first-data segment (DESIGN §3.8), when the agents report
     * first ACK / PSH segments at all; like {@link #track}, pod to pod across nodes only.
     */
    protected Tracked trackFirstData(PacketKind kind, boolean fromClient, long nowNanos, long settleAfterNanos) {
        return datapath.firstDataReported ? track(kind, fromClient, nowNanos, settleAfterNanos) : null;
    }

    /** Starts round-trip ground truth for the attempt about to leave, when the server never reports arrivals. */
    protected void trackRoundTrip(long nowNanos) {
        if (server.isPod()) {
            return;
        }
        roundTrip = datapath.truth.attempted(family, protocol, client.node().name(), client.qualifiedName(),
                client.ip(family), clientPort, server.name(), server.ip(family), serverPort, nowNanos);
    }

    /**
     * One packet leaves its sender at {@code nowNanos}.
     *
     * @param tracked   the ground truth it belongs to, or null
     * @param lostAnyway a fault that takes this very packet (besides the path faults)
     * @param onArrival what the receiver does once it has it (not called when it is lost or dropped)
     */
    protected void transmit(boolean fromClient, int tcpFlags, long nowNanos, Tracked tracked, boolean lostAnyway,
            LongConsumer onArrival) {
        Peer sender = fromClient ? clientPeer : server;
        Peer receiver = fromClient ? server : clientPeer;
        boolean crossesWire = crossesWire();
        if (sender.isPod()) {
            SimNode node = sender.node();
            TraceReason reason = datapath.conntrack(node).lookup(entryKey(fromClient), !fromClient, tcpFlags, nowNanos);
            if (reason != null && crossesWire) {
                if (fromClient && masqueraded() && masqueradedReports == Fault.Snat.Reports.BEFORE_AND_AFTER_SNAT) {
                    PacketView beforeSnat = departureView(true, tcpFlags, false); // the endpoint's program, first
                    datapath.emitter.emit(node, nowNanos,
                            (local, uuid) -> datapath.flows.departure(node, beforeSnat, reason, local, uuid),
                            EventEmitter.Outcome.NONE);
                }
                PacketView view = departureView(fromClient, tcpFlags,
                        masqueradedReports != Fault.Snat.Reports.BEFORE_SNAT);
                EventEmitter.Outcome outcome = tracked != null ? tracked.departureReported()
                        : fromClient ? attemptOutcome() : EventEmitter.Outcome.NONE;
                datapath.emitter.emit(node, nowNanos,
                        (local, uuid) -> datapath.flows.departure(node, view, reason, local, uuid), outcome);
            }
        }
        if (tracked != null) {
            tracked.transmitted();
        }
        boolean lost = crossesWire && (lostAnyway || lostOnPath(sender, receiver));
        if (!lost) {
            // A flow's packets on one path are not reordered: a request sent right after the handshake ACK
            // must not overtake it (the receiver would then see ACK and PSH as new in one segment).
            long arrival = Math.max(nowNanos + datapath.oneWayDelayNanos(sender, receiver),
                    (fromClient ? clientPacketArrives : serverPacketArrives) + 1_000);
            if (fromClient) {
                clientPacketArrives = arrival;
            } else {
                serverPacketArrives = arrival;
            }
            datapath.scheduler.at(arrival, () -> arrive(fromClient, tcpFlags, tracked, onArrival));
        }
    }

    /** Forgets both CT entries of this conversation. */
    protected void forgetConntrack() {
        datapath.conntrack(client.node()).forget(entryKey(true));
        if (server.isPod()) {
            datapath.conntrack(server.node()).forget(entryKey(false));
        }
    }

    protected void later(long atNanos, LongConsumer action) {
        datapath.scheduler.at(atNanos, () -> action.accept(datapath.scheduler.now()));
    }

    private boolean lostOnPath(Peer sender, Peer receiver) {
        if (sender.node() == null || receiver.node() == null) {
            return false; // the internet is out of scope: the faults are between nodes
        }
        if (sender.isPod() && receiver.isPod()) {
            return datapath.faults.lostOnWire(sender.node().name(), receiver.node().name(), family, datapath.random);
        }
        // a pod and a node's host stack: not over the overlay (hubble-api.md §2.3 e); requests only
        return sender.isPod() && datapath.faults.lostToHost(sender.node().name(), receiver.node().name(), family,
                serverPort, datapath.random);
    }

    private void arrive(boolean fromClient, int tcpFlags, Tracked tracked, LongConsumer onArrival) {
        long now = datapath.scheduler.now();
        Peer receiver = fromClient ? server : clientPeer;
        if (receiver.isPod()) {
            SimNode node = receiver.node();
            PacketView view = arrivalView(fromClient, tcpFlags);
            if (fromClient && datapath.faults.deniedByPolicy(receiver.pod(), serverPort)) {
                boolean first = tracked != null && tracked.arrived(now, true);
                datapath.emitter.emit(node, now, (local, uuid) -> datapath.flows.policyDrop(node, view, local, uuid),
                        first ? tracked.arrivalOutcome() : EventEmitter.Outcome.NONE);
                return;
            }
            TraceReason reason = datapath.conntrack(node).lookup(entryKey(!fromClient), !fromClient, tcpFlags, now);
            boolean first = tracked != null && tracked.arrived(now, false);
            EventEmitter.Outcome outcome = first ? tracked.arrivalOutcome()
                    : fromClient ? EventEmitter.Outcome.NONE : replyOutcome(now, tcpFlags);
            if (reason != null) {
                datapath.emitter.emit(node, now, (local, uuid) -> datapath.flows.arrival(node, view, reason, local, uuid),
                        outcome);
            } else {
                outcome.emitted(false, now);
            }
        }
        onArrival.accept(now);
    }

    /** The first report of a round trip's attempt: what its ground truth keeps. */
    private EventEmitter.Outcome attemptOutcome() {
        if (roundTrip == null || attemptReported) {
            return EventEmitter.Outcome.NONE;
        }
        attemptReported = true;
        TruthRecorder.RoundTrip trip = roundTrip;
        return (recorded, eventTimeNanos) -> trip.attemptEmitted(recorded);
    }

    /** The first reply delivered to a round trip's client: answered, or refused by a RST. */
    private EventEmitter.Outcome replyOutcome(long nowNanos, int tcpFlags) {
        if (roundTrip == null || replyArrived) {
            return EventEmitter.Outcome.NONE;
        }
        replyArrived = true;
        TruthRecorder.RoundTrip trip = roundTrip;
        trip.replied(nowNanos, (tcpFlags & ConntrackReporter.RST) != 0);
        return (recorded, eventTimeNanos) -> trip.replyEmitted(recorded);
    }

    /** The CT entry owned by the client (its egress entry) or by the server (its ingress entry). */
    private long entryKey(boolean clientEntry) {
        return id * 2 + (clientEntry ? 0 : 1);
    }

    /** How the client's node reports this masqueraded conversation's packets leaving; before {@link #open}. */
    void reportMasqueradedDepartures(Fault.Snat.Reports reports) {
        masqueradedReports = reports;
    }

    /** {@code afterSnat}: a masqueraded packet as the SNAT path reports it ({@code source_xlated}), else as the pod sent it. */
    private PacketView departureView(boolean fromClient, int tcpFlags, boolean afterSnat) {
        if (fromClient) {
            return new PacketView(family, protocol, tcpFlags, client.ip(family),
                    masqueraded() && afterSnat ? wireClientIp : null,
                    wireClientPort, server.ip(family), serverPort, clientPeer, server);
        }
        return new PacketView(family, protocol, tcpFlags, server.ip(family), null, serverPort, wireClientIp,
                wireClientPort, server, wireClient);
    }

    private PacketView arrivalView(boolean fromClient, int tcpFlags) {
        if (fromClient) {
            return new PacketView(family, protocol, tcpFlags, wireClientIp, null, wireClientPort, server.ip(family),
                    serverPort, wireClient, server);
        }
        if (frontend != null) {
            return new PacketView(family, protocol, tcpFlags, server.ip(family), frontend.ip(family), frontend.port(),
                    client.ip(family), clientPort, server, clientPeer);
        }
        return new PacketView(family, protocol, tcpFlags, server.ip(family), null, serverPort, client.ip(family),
                clientPort, server, clientPeer);
    }
}
