package io.transitwatch.daemon.ingest;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.NodeAddressBook;
import io.transitwatch.daemon.topology.NodeAddressSource;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.NotifyRequest;
import io.transitwatch.proto.peer.PeerGrpc;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Notifications arrive on the channel executor and are applied on the ingest scheduler;
 * {@link #close} from the lifecycle.
 *
 * <p>Follows {@code /peer.Peer/Notify}: PEER_ADDED and PEER_UPDATED start or move a node's
 * stream (with the node's {@code tls.server_name}; no {@code tls} means the node serves
 * plaintext), PEER_DELETED stops it. When the Notify stream breaks, the node streams keep running
 * and Notify is re-opened with backoff; the server then announces every node again, which is a
 * no-op for nodes that did not move.
 */
final class PeerDiscovery implements ClientResponseObserver<NotifyRequest, ChangeNotification> {
    private static final System.Logger LOG = System.getLogger(PeerDiscovery.class.getName());

    private final IngestContext context;
    private final DirectIngest nodes;
    private final Backoff backoff;
    private final ManagedChannel channel;
    private volatile ClientCallStreamObserver<NotifyRequest> call;
    private volatile boolean closed;
    private boolean heardAny;
    private final StreamStateLog stateLog;

    PeerDiscovery(IngestContext context, DirectIngest nodes) {
        this.context = context;
        this.nodes = nodes;
        this.backoff = new Backoff(context.config().backoffMin(), context.config().backoffMax(), new SplittableRandom());
        this.channel = context.channels().open(context.config().target(), context.config().tlsServerName(), false);
        this.stateLog = new StreamStateLog(LOG, "peer service", context.clock());
    }

    void start() {
        context.scheduler().execute(this::subscribe);
    }

    private void subscribe() {
        if (!closed) {
            heardAny = false;
            PeerGrpc.newStub(channel).notify(NotifyRequest.getDefaultInstance(), this);
        }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<NotifyRequest> requestStream) {
        call = requestStream;
    }

    @Override
    public void onNext(ChangeNotification change) {
        if (!heardAny) {
            heardAny = true;
            stateLog.upAgain("node discovery follows the cluster again (it re-announces every node)");
        }
        String address = change.getAddress();
        String serverName = change.hasTls() ? change.getTls().getServerName() : null;
        boolean plaintext = !change.hasTls() && context.channels().tlsConfigured();
        switch (change.getType()) {
            case PEER_ADDED, PEER_UPDATED -> context.scheduler().execute(() -> {
                nodes.upsert(change.getName(), address, serverName, plaintext);
                learnAddress(change.getName(), address);
            });
            case PEER_DELETED -> context.scheduler().execute(() -> {
                nodes.remove(change.getName());
                context.addresses().remove(NodeAddressSource.PEER, change.getName());
                context.addressesChanged();
            });
            default -> LOG.log(Level.DEBUG, "ignoring peer notification {0}", change.getType());
        }
    }

    /** The node's Hubble listens on its own address: it names the node's round-trip destinations (DESIGN §3.7). */
    private void learnAddress(String node, String address) {
        IpPrefix own = NodeAddressBook.addressOfHostPort(address);
        context.addresses().put(NodeAddressSource.PEER, node, own == null ? List.of() : List.of(own));
        context.addresses().nodeSeen(node);
        context.addressesChanged();
    }

    @Override
    public void onError(Throwable error) {
        resubscribe(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
        resubscribe(Status.OK.withDescription("server ended the Notify stream"));
    }

    private void resubscribe(Status status) {
        if (closed) {
            return;
        }
        if (heardAny) {
            backoff.reset();
        }
        long delay = backoff.nextDelayNanos();
        // One line when it goes, fewer and fewer while it stays down (StreamStateLog): node streams keep running.
        stateLog.failed("node discovery lost, node streams keep running: " + StreamFailures.describe("peer service",
                context.config().target(), status, context.config().tls(), context.config().tlsServerName()), delay);
        context.scheduler().schedule(this::subscribe, delay, TimeUnit.NANOSECONDS);
    }

    void close() {
        closed = true;
        ClientCallStreamObserver<NotifyRequest> current = call;
        if (current != null) {
            current.cancel("ingest stopped", null);
        }
        HubbleChannels.shutdown(channel);
    }
}
