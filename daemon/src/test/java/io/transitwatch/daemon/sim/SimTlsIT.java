package io.transitwatch.daemon.sim;

import static io.transitwatch.daemon.sim.SimTestSupport.close;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.observer.ServerStatusRequest;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.NotifyRequest;
import io.transitwatch.proto.peer.PeerGrpc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mTLS on the per-node servers, the way Cilium's Hubble TLS is set up. */
class SimTlsIT {
    @TempDir
    static Path certificates;
    private static SimCertificates.Files files;
    private static Simulator sim;

    @BeforeAll
    static void start() {
        files = SimCertificates.generate(certificates, ClusterTopology.defaults().tlsServerNames());
        sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).tls(files).build());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void shouldServeAClientWithACertificateUsingTheNodesTlsServerName() throws Exception {
        ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
                .keyManager(files.clientCert().toFile(), files.clientKey().toFile())
                .trustManager(files.caCert().toFile()).build();
        ManagedChannel peer = Grpc.newChannelBuilder(sim.peerTarget(), credentials)
                .overrideAuthority(ClusterTopology.PEER_SERVER_NAME).build();
        try {
            ChangeNotification solwk02 = null;
            var notifications = PeerGrpc.newBlockingStub(peer).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .notify(NotifyRequest.getDefaultInstance());
            for (int i = 0; i < 6; i++) {
                ChangeNotification n = notifications.next();
                if (n.getName().equals("solwk02")) {
                    solwk02 = n;
                }
            }
            assertEquals("solwk02.default.hubble-grpc.cilium.io", solwk02.getTls().getServerName());

            ManagedChannel node = Grpc.newChannelBuilder(solwk02.getAddress(), credentials)
                    .overrideAuthority(solwk02.getTls().getServerName()).build();
            try {
                var status = ObserverGrpc.newBlockingStub(node).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .serverStatus(ServerStatusRequest.getDefaultInstance());
                assertTrue(status.getMaxFlows() > 0);
            } finally {
                close(node);
            }
        } finally {
            close(peer);
        }
    }

    @Test
    void shouldRejectAClientWithoutCertificate() throws IOException, InterruptedException {
        ChannelCredentials noClientCert = TlsChannelCredentials.newBuilder()
                .trustManager(files.caCert().toFile()).build();
        ManagedChannel node = Grpc.newChannelBuilder(sim.nodeTargets().get("solwk01"), noClientCert)
                .overrideAuthority("solwk01.default.hubble-grpc.cilium.io").build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> ObserverGrpc.newBlockingStub(node).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .serverStatus(ServerStatusRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        } finally {
            close(node);
        }
    }
}
