package io.transitwatch.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.transitwatch.daemon.topology.IpPrefix;
import java.math.BigInteger;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigValueTypesTest {
    @ParameterizedTest
    @CsvSource({"5s, PT5S", "250ms, PT0.25S", "2m, PT2M", "4h, PT4H", "1h30m, PT1H30M", "0s, PT0S",
            "PT5S, PT5S", "pt10m, PT10M", "' 5s ', PT5S"})
    void shouldParseDurationsInShortAndIsoForm(String text, String expected) throws InvalidValue {
        assertEquals(Duration.parse(expected), DurationType.nonNegative().parse(text));
    }

    @Test
    void shouldExplainWhatIsWrongWithADuration() {
        assertEquals("\"5x\" is not a duration; write it like 5s, 250ms or 2m", problem(DurationType.positive(), "5x"));
        assertEquals("\"-5s\" is not a duration; write it like 5s, 250ms or 2m", problem(DurationType.positive(), "-5s"));
        assertEquals("5 has no unit; write it like 5s or 5ms", problem(DurationType.positive(), 5));
        assertEquals("\"0s\" must be longer than 0; write it like 5s, 250ms or 2m", problem(DurationType.positive(), "0s"));
        assertEquals("\"PT-1S\" must not be negative", problem(DurationType.nonNegative(), "PT-1S"));
    }

    @ParameterizedTest
    @CsvSource({"PT4H, 4h", "PT10M, 10m", "PT90S, 90s", "PT1.5S, 1500ms", "PT0S, 0s"})
    void shouldFormatDurationsInTheShortestShortForm(String iso, String expected) {
        assertEquals(expected, DurationType.format(Duration.parse(iso)));
    }

    @Test
    void shouldParseIntsWithinTheirRange() throws InvalidValue {
        IntType port = IntType.range(-1, 65535);

        assertEquals(8080, port.parse(8080));
        assertEquals(8080, port.parse(8080L));
        assertEquals(-1, port.parse("-1"));
        assertEquals("65536 must be between -1 and 65535", problem(port, 65536));
        assertEquals("1.5 is not a whole number; write a whole number between -1 and 65535", problem(port, 1.5));
        assertEquals("\"http\" is not a whole number; write a whole number between -1 and 65535", problem(port, "http"));
        assertEquals("99999999999999999999 must be between -1 and 65535",
                problem(port, new BigInteger("99999999999999999999")));
    }

    @ParameterizedTest
    @CsvSource({"1000, 1024", "3000, 2048", "3072, 4096", "100000, 131072", "65, 64"})
    void shouldSuggestTheNearestPowerOfTwo(int given, int suggested) {
        assertEquals(given + " must be a power of two; try " + suggested, problem(IntType.powerOfTwo(64, 1 << 24), given));
    }

    @Test
    void shouldAcceptOnlyTrueOrFalse() throws InvalidValue {
        assertEquals(true, BoolType.INSTANCE.parse(true));
        assertEquals(false, BoolType.INSTANCE.parse("False"));
        assertEquals("\"yes\" is not true or false; write true or false", problem(BoolType.INSTANCE, "yes"));
    }

    @Test
    void shouldMatchChoicesIgnoringCaseAndDashes() throws InvalidValue {
        ChoiceType<String> points = ChoiceType.ofNames(List.of("TO_NETWORK", "TO_ENDPOINT"), "points");

        assertEquals("TO_NETWORK", points.parse("to-network"));
        assertEquals(HubbleMode.DIRECT, ChoiceType.ofEnum(HubbleMode.class).parse("DIRECT"));
        assertEquals("direct", ChoiceType.ofEnum(HubbleMode.class).toPlain(HubbleMode.DIRECT));
        assertEquals("\"to-netwrk\" is not one of TO_NETWORK, TO_ENDPOINT; did you mean TO_NETWORK?",
                problem(points, "to-netwrk"));
    }

    @Test
    void shouldParseListsFromYamlOrCommaSeparatedText() throws InvalidValue {
        ListType<Integer> identities = ListType.of(IntType.range(0, Integer.MAX_VALUE));

        assertEquals(List.of(1, 2, 6), identities.parse(List.of(1, 2L, "6")));
        assertEquals(List.of(1, 2, 6), identities.parse(" 1, 2 ,6,"));
        assertEquals(List.of(7), identities.parse(7));
        assertEquals(List.of(), identities.parse(""));
    }

    @Test
    void shouldReportEveryBadElementOfAList() {
        InvalidValue invalid = assertThrows(InvalidValue.class,
                () -> ListType.of(IntType.range(0, 10)).parse(List.of(1, "x", 11)));

        assertEquals(List.of("\"x\" is not a whole number; write a whole number between 0 and 10",
                "11 must be between 0 and 10"), invalid.problems());
        assertEquals("[] must not be empty; list at least one int 0..10",
                problem(ListType.nonEmpty(IntType.range(0, 10)), List.of()));
    }

    @Test
    void shouldParsePodCidrsFromAMapOrText() throws InvalidValue {
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("solwk01", List.of("10.101.224.0/24", "fd00:101:224:1::/64"));
        yaml.put("solwk02", "10.101.225.0/24");
        Map<String, List<IpPrefix>> expected = Map.of(
                "solwk01", List.of(IpPrefix.parse("10.101.224.0/24"), IpPrefix.parse("fd00:101:224:1::/64")),
                "solwk02", List.of(IpPrefix.parse("10.101.225.0/24")));

        assertEquals(expected, CidrMapType.INSTANCE.parse(yaml));
        assertEquals(expected, CidrMapType.INSTANCE.parse(
                "solwk01=10.101.224.0/24, fd00:101:224:1::/64; solwk02=10.101.225.0/24"));
        assertEquals(Map.of(), CidrMapType.INSTANCE.parse(""));
    }

    @Test
    void shouldNameTheNodeOfABadCidr() {
        InvalidValue invalid = assertThrows(InvalidValue.class,
                () -> CidrMapType.INSTANCE.parse(Map.of("solwk02", List.of("10.0.0/24"))));

        assertEquals(List.of("node solwk02: '10.0.0/24' is not an IPv4 or IPv6 prefix "
                + "(example: 10.101.224.0/24 or fd00:101:224::/64)"), invalid.problems());
        assertEquals("\"solwk01\" is not a map of node to CIDRs; write it like {solwk01: [10.101.224.0/24, "
                + "\"fd00:101:224:1::/64\"]} or solwk01=10.101.224.0/24,fd00:101:224:1::/64;solwk02=...",
                problem(CidrMapType.INSTANCE, "solwk01"));
    }

    @Test
    void shouldCheckTheShapeOfTexts() {
        assertEquals("\"solwk01\" is not name=host:port; write it like solwk01=10.0.0.21:4244",
                problem(TextType.NODE_ADDRESS, "solwk01"));
        assertEquals("\"SLACK-URL\" is not an environment variable name; write it like SLACK_WEBHOOK_URL",
                problem(TextType.ENV_VAR_NAME, "SLACK-URL"));
        assertEquals("\"\" is empty; write a string or leave the key out", problem(TextType.ANY, ""));
    }

    @Test
    void shouldSuggestOnlyWhatIsCloseEnoughToBeATypo() {
        List<String> keys = List.of("join.window", "join.late-horizon");

        assertEquals("join.window", Suggestions.closest("join.windw", keys).orElseThrow());
        assertEquals("join.window", Suggestions.closest("JOIN.WINDOW", keys).orElseThrow());
        assertFalse(Suggestions.closest("hubble", keys).isPresent());
        assertEquals(3, Suggestions.editDistance("kitten", "sitting"));
    }

    private static String problem(ValueType<?> type, Object given) {
        InvalidValue invalid = assertThrows(InvalidValue.class, () -> type.parse(given));
        assertEquals(1, invalid.problems().size(), invalid.problems().toString());
        return invalid.problems().get(0);
    }
}
