package io.transitwatch.daemon.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeAddressBookTest {
    private final StringDictionary dictionary = new StringDictionary(64);
    private final List<NodeAddresses> published = new ArrayList<>();
    private final NodeAddressBook book = new NodeAddressBook(dictionary::pin, published::add);

    @Test
    void mergesEverySourceAndKeepsAnAddressWithTheSourceOfHigherPrecedence() {
        book.put(NodeAddressSource.PEER, "solcp01", List.of(IpPrefix.parse("10.101.0.11")));
        book.put(NodeAddressSource.PEER, "solcp02", List.of(IpPrefix.parse("10.101.0.12")));
        // the operator says 10.101.0.12 is solcp03's; Peer only knows solcp02's Hubble address
        book.replace(NodeAddressSource.CONFIG, Map.of("solcp03", List.of(IpPrefix.parse("10.101.0.12")),
                "solcp01", List.of(IpPrefix.parse("fd00:101::11"))));
        NodeAddresses snapshot = book.flush();

        assertEquals(List.of(snapshot), published);
        assertEquals("solcp03", nameOf(snapshot, "10.101.0.12"));
        assertEquals("solcp01", nameOf(snapshot, "10.101.0.11"));
        assertEquals("solcp01", nameOf(snapshot, "fd00:101::11"), "config adds the family Peer does not give");
        assertNull(nameOf(snapshot, "10.101.0.13"));
        assertEquals(1, snapshot.conflicts());
    }

    @Test
    void publishesOnlyWhenSomethingChanged() {
        book.put(NodeAddressSource.RELAY, "solwk01", List.of(IpPrefix.parse("10.101.0.21")));
        book.flush();
        book.put(NodeAddressSource.RELAY, "solwk01", List.of(IpPrefix.parse("10.101.0.21")));
        book.replace(NodeAddressSource.RELAY, Map.of("solwk01", List.of(IpPrefix.parse("10.101.0.21"))));
        book.flush();
        assertEquals(1, published.size());

        book.remove(NodeAddressSource.RELAY, "solwk01");
        assertNull(nameOf(book.flush(), "10.101.0.21"));
        assertEquals(2, published.size());
    }

    @Test
    void aNodeNamedByItsAddressOwnsItUnlessASourceSaysOtherwise() {
        book.nodeSeen("10.10.21.241");
        book.nodeSeen("default/fd00:10::7");
        book.nodeSeen("solwk01");
        book.put(NodeAddressSource.PEER, "10.10.21.5", List.of(IpPrefix.parse("10.10.21.9")));
        NodeAddresses snapshot = book.flush();

        assertEquals("10.10.21.241", nameOf(snapshot, "10.10.21.241"));
        assertEquals("default/fd00:10::7", nameOf(snapshot, "fd00:10::7"));
        assertEquals("10.10.21.5", nameOf(snapshot, "10.10.21.9"));
        assertEquals("10.10.21.5", nameOf(snapshot, "10.10.21.5"), "a Peer name that is an address names it too");

        book.put(NodeAddressSource.CONFIG, "real-name", List.of(IpPrefix.parse("10.10.21.241")));
        assertEquals("real-name", nameOf(book.flush(), "10.10.21.241"));
    }

    @Test
    void readsTheAddressOfPeerAndGetNodesAddresses() {
        assertEquals(IpPrefix.parse("10.0.0.1"), NodeAddressBook.addressOfHostPort("10.0.0.1:4244"));
        assertEquals(IpPrefix.parse("fd00::1"), NodeAddressBook.addressOfHostPort("[fd00::1]:4244"));
        assertEquals(IpPrefix.parse("fd00::1"), NodeAddressBook.addressOfHostPort("fd00::1"));
        assertEquals(IpPrefix.parse("10.0.0.1"), NodeAddressBook.addressOfHostPort("10.0.0.1"));
        assertNull(NodeAddressBook.addressOfHostPort("node1.example:4244"));
        assertNull(NodeAddressBook.addressOfHostPort("unix:///var/run/cilium/hubble.sock"));
        assertNull(NodeAddressBook.addressOfHostPort(""));
        assertNull(NodeAddressBook.addressOfHostPort("127.0.0.1:41237"), "a port-forward is no node's address");
        assertNull(NodeAddressBook.addressOfHostPort("[::1]:4244"));
        assertNull(NodeAddressBook.addressOfHostPort("0.0.0.0:4244"));
    }

    private String nameOf(NodeAddresses snapshot, String address) {
        IpPrefix host = IpPrefix.parse(address);
        int node = snapshot.nodeOf(host.hi(), host.lo());
        return node == 0 ? null : dictionary.get(node);
    }
}
