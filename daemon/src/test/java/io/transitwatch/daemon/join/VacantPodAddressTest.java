package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Silence from an address in a pod CIDR that no pod has, as the Kubernetes API lists pods: a deleted
 * pod's address that a client still dials (a stale scrape target, a cached DNS answer). Nothing there
 * reports an arrival or sends a reply, so it is UNVERIFIED(no_observer), neither LOST nor NO_REPLY.
 * The harness's pod CIDRs are 10.0.{1,2,3}.0/24; Kubernetes lists 10.0.2.8 on b, not 10.0.2.7.
 */
class VacantPodAddressTest {
    private final JoinHarness join = new JoinHarness().allUp();

    @Test
    void shouldNotCallLostADepartureToAnAddressNoPodHas() {
        join.discoverPods("b", "10.0.2.8");
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.departure("a", "10.0.1.5", 40001, "10.0.2.8", 9090).at(T0 + S); // to a listed pod: really lost
        join.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(NO_OBSERVER) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40001>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotCallNoReplyAnAttemptToAnAddressNoPodHas() {
        // once its pod is gone, Cilium gives the address the world identity: a round trip on the client's node
        join.discoverPods("b", "10.0.2.8");
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).toIdentity(JoinConstants.IDENTITY_WORLD)
                .at(T0 + S);
        join.departure("a", "10.0.1.5", 40001, "203.0.113.9", 443).toIdentity(JoinConstants.IDENTITY_WORLD)
                .at(T0 + S); // outside every pod CIDR: the world, whose silence is a NO_REPLY
        join.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(NO_OBSERVER) a>b IPv4 SYN 40000>9090 attempts=1",
                "NO_REPLY a> IPv4 SYN 40001>443 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldJudgeAsBeforeWhileKubernetesListsNoPodAtAll() {
        // no CiliumEndpoints (discovery off, not allowed, or disable-endpoint-crd): nothing says the address is vacant
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }
}
