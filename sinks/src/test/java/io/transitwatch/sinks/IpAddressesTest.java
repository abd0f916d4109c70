package io.transitwatch.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressesTest {

    @ParameterizedTest
    @CsvSource({
            "10.101.224.7, 10.101.224.7",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "fd00:101:224:2:0:0:0:3ac8, fd00:101:224:2::3ac8",
            "0:0:0:0:0:0:0:1, ::1",
            "0:0:0:0:0:0:0:0, ::",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", // tie: the first run is compressed
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // a single zero group is not compressed
            "fe80:0:0:0:0:0:0:0, fe80::",
            "2001:DB8:AA:0:0:0:0:0, 2001:db8:aa::",
    })
    void shouldFormatLikeRfc5952(String literal, String expected) {
        assertEquals(expected, IpAddresses.format(CommunityIdTest.bytes(literal)));
    }
}
