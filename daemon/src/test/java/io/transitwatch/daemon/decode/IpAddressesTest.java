package io.transitwatch.daemon.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    @ParameterizedTest
    @CsvSource({
        "10.101.224.7,              ::ffff:10.101.224.7,  4",
        "0.0.0.0,                   ::ffff:0.0.0.0,       4",
        "255.255.255.255,           ::ffff:255.255.255.255, 4",
        "fd00:101:224:5::10,        fd00:101:224:5::10,   6",
        "FD00:0101:0224:0005:0000:0000:0000:0010, fd00:101:224:5::10, 6",
        "::,                        ::,                   6",
        "::1,                       ::1,                  6",
        "1::,                       1::,                  6",
        "2001:db8::1:0:0:1,         2001:db8::1:0:0:1,    6",
        "2001:db8:0:0:1:0:0:1,      2001:db8::1:0:0:1,    6",
        "2001:0:0:1:0:0:0:1,        2001:0:0:1::1,        6",
        "2001:db8:0:1:1:1:1:1,      2001:db8:0:1:1:1:1:1, 6",
        "1:2:3:4:5:6:7::,           1:2:3:4:5:6:7:0,      6",
        "::2:3:4:5:6:7:8,           0:2:3:4:5:6:7:8,      6",
        "::ffff:1.2.3.4,            ::ffff:1.2.3.4,       6",
        "::FFFF:0102:0304,          ::ffff:1.2.3.4,       6",
        "64:ff9b::192.0.2.33,       64:ff9b::c000:221,    6",
        "1:2:3:4:5:6:1.2.3.4,       1:2:3:4:5:6:102:304,  6",
        "fe80::,                    fe80::,               6",
    })
    void parsesAndFormatsCanonically(String text, String canonical, int version) throws Exception {
        long[] out = new long[2];
        byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        assertEquals(version, IpAddresses.parse(ascii, 0, ascii.length, out));
        assertEquals(canonical, IpAddresses.format(out[0], out[1]));
        assertArrayEquals(jdkBytes(text), toBytes(out[0], out[1]), "agrees with java.net.InetAddress");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "::1:2:3:4:5:6:7:8", "12345::", "g::", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:", ":1::",
        "1:", "::1.2.3", "::1.2.3.256", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "10.0.0.0/8", "1..2.3",
        "1.2.3.4 ", " ::1"})
    void rejectsWhatIsNotAnAddress(String text) {
        byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        assertEquals(IpAddresses.INVALID, IpAddresses.parse(ascii, 0, ascii.length, new long[2]));
    }

    @ParameterizedTest
    @CsvSource({"10.1.2.3, 4, 10.1.2.3", "10.1.2.3, 6, ::ffff:10.1.2.3", "fd00::1, 6, fd00::1"})
    void formatsByFamily(String text, int family, String expected) {
        long[] address = IpAddresses.parse(text);
        assertEquals(expected, IpAddresses.format(address[0], address[1], family));
    }

    @org.junit.jupiter.api.Test
    void parsesInsideALargerBuffer() {
        byte[] buffer = "xxfd00::1yy".getBytes(StandardCharsets.US_ASCII);
        long[] out = new long[2];
        assertEquals(IpAddresses.IPV6, IpAddresses.parse(buffer, 2, 7, out));
        assertEquals("fd00::1", IpAddresses.format(out[0], out[1]));
    }

    /** The JDK's reading of a literal as 16 bytes, IPv4 mapped into ::ffff:0:0/96 like ours. */
    private static byte[] jdkBytes(String literal) throws Exception {
        byte[] raw = InetAddress.getByName(literal).getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    private static byte[] toBytes(long hi, long lo) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (hi >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return bytes;
    }
}
