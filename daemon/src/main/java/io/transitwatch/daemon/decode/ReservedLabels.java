package io.transitwatch.daemon.decode;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.nio.charset.StandardCharsets;

/**
 * Stateless, so safe from any thread.
 *
 * <p>Cilium's {@code reserved:} endpoint labels, recognised in the label's bytes without making a
 * string. Real Cilium 1.19.1 shows the API server as a node-local CIDR identity (16777217) labelled
 * {@code reserved:kube-apiserver} and {@code reserved:world} (hubble-api.md §10): the numeric
 * identity alone would call it the world.
 */
final class ReservedLabels {
    private static final byte[] PREFIX = ascii("reserved:");
    private static final byte[][] NAMES = {
        ascii("kube-apiserver"), ascii("host"), ascii("remote-node"), ascii("world"), ascii("world-ipv4"),
        ascii("world-ipv6"),
    };
    private static final byte[] BITS = {
        NodeEvent.LABEL_KUBE_APISERVER, NodeEvent.LABEL_HOST, NodeEvent.LABEL_REMOTE_NODE, NodeEvent.LABEL_WORLD,
        NodeEvent.LABEL_WORLD, NodeEvent.LABEL_WORLD,
    };

    private ReservedLabels() {}

    /** The {@code NodeEvent.LABEL_*} bit of the label in {@code buf[offset, offset + length)}, or 0. */
    static byte of(byte[] buf, int offset, int length) {
        if (length <= PREFIX.length || !startsWith(buf, offset, length, PREFIX, 0)) {
            return 0;
        }
        int nameLength = length - PREFIX.length;
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].length == nameLength && startsWith(buf, offset + PREFIX.length, nameLength, NAMES[i], 0)) {
                return BITS[i];
            }
        }
        return 0;
    }

    private static boolean startsWith(byte[] buf, int offset, int length, byte[] expected, int from) {
        if (length < expected.length) {
            return false;
        }
        for (int i = from; i < expected.length; i++) {
            if (buf[offset + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
