package io.transitwatch.daemon.sim;

/**
 * Immutable snapshot of what really happened to one connection attempt to a destination that never
 * reports an arrival (a node's host address, the API server behind its ClusterIP, the internet):
 * the round trip its client's node sees (DESIGN §3.7).
 *
 * @param clientIp       the client pod's address (what the reply is delivered to)
 * @param server         who answers, e.g. {@code kube-apiserver on solcp02}, {@code host solwk03}, {@code github.com}
 * @param serverIp       the address the attempt leaves for (after the ClusterIP's DNAT)
 * @param attemptNanos   true time the client's node reported the attempt
 * @param replyNanos     true time the first reply reached the client pod, or -1
 * @param refused        that reply was a RST
 * @param replyObservable the client node's event for that reply was delivered to Hubble's ring
 */
public record RoundTripRecord(
        IpFamily family,
        L4Protocol protocol,
        String clientNode,
        String clientPod,
        String clientIp,
        int clientPort,
        String server,
        String serverIp,
        int serverPort,
        long attemptNanos,
        long replyNanos,
        boolean refused,
        boolean replyObservable,
        RoundTripExpectation expected) {

    public boolean replied() {
        return replyNanos >= 0;
    }
}
