package io.transitwatch.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Vectors from corelight/community-id-spec: {@code baseline/README.md} (tables for seed 0 and
 * seed 1) and {@code baseline/baseline_deflt.json} (tuples from the spec's pcaps). In the JSON
 * baseline, ICMP rows list (type, counterpart type) for two-way messages and (type, code) for
 * one-way ones; with code 0 in the two-way rows both forms mean the same packet.
 */
class CommunityIdTest {

    @ParameterizedTest(name = "seed {0} proto {1} {2}:{4} -> {3}:{5}")
    @CsvSource({
            // baseline/README.md, default seed
            "0, 6, 1.2.3.4, 5.6.7.8, 1122, 3344, 1:wCb3OG7yAFWelaUydu0D+125CLM=",
            "0, 6, 5.6.7.8, 1.2.3.4, 3344, 1122, 1:wCb3OG7yAFWelaUydu0D+125CLM=",
            "0, 17, 1.2.3.4, 5.6.7.8, 1122, 3344, 1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
            "0, 17, 5.6.7.8, 1.2.3.4, 3344, 1122, 1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
            "0, 132, 1.2.3.4, 5.6.7.8, 1122, 3344, 1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
            "0, 132, 5.6.7.8, 1.2.3.4, 3344, 1122, 1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
            "0, 1, 1.2.3.4, 5.6.7.8, 8, 0, 1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
            "0, 1, 5.6.7.8, 1.2.3.4, 0, 0, 1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
            "0, 1, 1.2.3.4, 5.6.7.8, 11, 0, 1:f/YiSyWqczrTgfUCZlBUnvHRcPk=",
            "0, 58, fe80:0001:0203:0405:0607:0809:0A0B:0C0D, fe80:1011:1213:1415:1617:1819:1A1B:1C1D, 128, 0, 1:0bf7hyMJUwt3fMED7z8LIfRpBeo=",
            "0, 58, fe80:1011:1213:1415:1617:1819:1A1B:1C1D, fe80:0001:0203:0405:0607:0809:0A0B:0C0D, 129, 0, 1:0bf7hyMJUwt3fMED7z8LIfRpBeo=",
            "0, 58, fe80:0001:0203:0405:0607:0809:0A0B:0C0D, fe80:1011:1213:1415:1617:1819:1A1B:1C1D, 146, 0, 1:fYC8+pz24E+EhANP1EZhpX0Dw10=",
            // baseline/README.md, seed 1
            "1, 6, 1.2.3.4, 5.6.7.8, 1122, 3344, 1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=",
            "1, 6, 5.6.7.8, 1.2.3.4, 3344, 1122, 1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=",
            "1, 17, 1.2.3.4, 5.6.7.8, 1122, 3344, 1:OShq+iKDAMVouh/4bMxB9Sz4amw=",
            "1, 132, 5.6.7.8, 1.2.3.4, 3344, 1122, 1:uitchpn5MMGAQKBJh7bIr/bAr7s=",
            "1, 1, 1.2.3.4, 5.6.7.8, 8, 0, 1:9pr4ZGTICiuZoIh90RRYE2RyXpU=",
            "1, 1, 5.6.7.8, 1.2.3.4, 0, 0, 1:9pr4ZGTICiuZoIh90RRYE2RyXpU=",
            "1, 1, 1.2.3.4, 5.6.7.8, 11, 0, 1:1DD7cWGC/Yg91YGsQeni8du3pIA=",
            "1, 58, fe80:0001:0203:0405:0607:0809:0A0B:0C0D, fe80:1011:1213:1415:1617:1819:1A1B:1C1D, 128, 0, 1:IO27GQzPuCtNnwFvjWALMHu5tJE=",
            "1, 58, fe80:0001:0203:0405:0607:0809:0A0B:0C0D, fe80:1011:1213:1415:1617:1819:1A1B:1C1D, 146, 0, 1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=",
            // baseline/baseline_deflt.json
            "0, 58, fe80::200:86ff:fe05:80da, fe80::260:97ff:fe07:69ea, 135, 0, 1:dGHyGvjMfljg6Bppwm3bg0LO8TY=",
            "0, 58, fe80::260:97ff:fe07:69ea, fe80::200:86ff:fe05:80da, 136, 0, 1:dGHyGvjMfljg6Bppwm3bg0LO8TY=",
            "0, 58, fe80::260:97ff:fe07:69ea, fe80::200:86ff:fe05:80da, 135, 0, 1:zavyT/cezQr1fmImYCwYnMXbgck=",
            "0, 58, fe80::200:86ff:fe05:80da, fe80::260:97ff:fe07:69ea, 136, 0, 1:zavyT/cezQr1fmImYCwYnMXbgck=",
            "0, 58, 3ffe:501:1800:2345::2, 3ffe:507:0:1:200:86ff:fe05:80da, 3, 0, 1:2ObVBgIn28oZvibYZhZMBgh7WdQ=",
            "0, 58, 3ffe:501:410:0:2c0:dfff:fe47:33e, 3ffe:507:0:1:200:86ff:fe05:80da, 1, 4, 1:hLZd0XGWojozrvxqE0dWB1iM6R0=",
            "0, 58, 3ffe:507:0:1:200:86ff:fe05:80da, 3ffe:501:0:1001::2, 128, 0, 1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=",
            "0, 58, 3ffe:501:0:1001::2, 3ffe:507:0:1:200:86ff:fe05:80da, 129, 0, 1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=",
            "0, 58, fe80::200:86ff:fe05:80da, ff02::2, 133, 0, 1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=",
            "0, 58, fe80::260:97ff:fe07:69ea, ff02::1, 134, 0, 1:pkvHqCL88/tg1k4cPigmZXUtL00=",
            "0, 1, 192.168.0.89, 192.168.0.1, 8, 0, 1:X0snYXpgwiv9TZtqg64sgzUn6Dk=",
            "0, 1, 192.168.0.1, 192.168.0.89, 0, 0, 1:X0snYXpgwiv9TZtqg64sgzUn6Dk=",
            "0, 1, 10.0.0.1, 10.0.0.2, 11, 0, 1:YHxtAirCG//0OzkcVAukqKQN9xM=",
            "0, 6, 2001:470:e5bf:dead:4957:2174:e82c:4887, 2607:f8b0:400c:c03::1a, 63943, 25, 1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=",
            "0, 6, 2607:f8b0:400c:c03::1a, 2001:470:e5bf:dead:4957:2174:e82c:4887, 25, 63943, 1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=",
            "0, 132, 192.168.170.8, 192.168.170.56, 7, 7, 1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
            "0, 132, 192.168.170.56, 192.168.170.8, 7, 7, 1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
            "0, 6, 128.232.110.120, 66.35.250.204, 34855, 80, 1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
            "0, 6, 66.35.250.204, 128.232.110.120, 80, 34855, 1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
            "0, 17, 192.168.1.52, 8.8.8.8, 54585, 53, 1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
            "0, 17, 8.8.8.8, 192.168.1.52, 53, 54585, 1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
    })
    void shouldMatchTheSpecBaseline(int seed, int protocol, String source, String destination,
                                    int sourcePort, int destinationPort, String expected) {
        assertEquals(expected, CommunityId.of(seed, protocol, bytes(source), sourcePort, bytes(destination), destinationPort));
    }

    @ParameterizedTest(name = "seed {0} RSVP {1} -> {2}")
    @CsvSource({
            "0, 1.2.3.4, 5.6.7.8, 1:ikv3kmf89luf73WPz1jOs49S768=",
            "0, 5.6.7.8, 1.2.3.4, 1:ikv3kmf89luf73WPz1jOs49S768=",
            "0, fe80:0001:0203:0405:0607:0809:0A0B:0C0D, fe80:1011:1213:1415:1617:1819:1A1B:1C1D, 1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=",
            "0, fe80:1011:1213:1415:1617:1819:1A1B:1C1D, fe80:0001:0203:0405:0607:0809:0A0B:0C0D, 1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=",
            "1, 1.2.3.4, 5.6.7.8, 1:/buhqeOmaRCopOZFy9HnoJd5XW8=",
            "1, fe80:0001:0203:0405:0607:0809:0A0B:0C0D, fe80:1011:1213:1415:1617:1819:1A1B:1C1D, 1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=",
            "0, 10.1.12.1, 10.1.12.2, 1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=",
            "0, 10.1.12.2, 10.1.12.1, 1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=",
    })
    void shouldHashPortlessProtocolsWithoutPorts(int seed, String source, String destination, String expected) {
        int rsvp = 46;
        // Ports given for a port-less protocol are ignored, as in the reference implementation.
        assertEquals(expected, CommunityId.of(seed, rsvp, bytes(source), 1234, bytes(destination), 80));
    }

    @Test
    void shouldRejectMixedAddressFamilies() {
        assertThrows(IllegalArgumentException.class,
                () -> CommunityId.of(CommunityId.TCP, bytes("1.2.3.4"), 1, bytes("::1"), 2));
    }

    @Test
    void shouldRejectPortsOutOfRange() {
        assertThrows(IllegalArgumentException.class,
                () -> CommunityId.of(CommunityId.TCP, bytes("1.2.3.4"), 65536, bytes("5.6.7.8"), 2));
    }

    static byte[] bytes(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress(); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
