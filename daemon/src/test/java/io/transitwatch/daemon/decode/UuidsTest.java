package io.transitwatch.daemon.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UuidsTest {

    @Test
    void agreesWithJavaUtilUuid() {
        for (int i = 0; i < 1000; i++) {
            UUID uuid = UUID.randomUUID();
            byte[] text = uuid.toString().toUpperCase().getBytes(StandardCharsets.US_ASCII);
            assertTrue(Uuids.isValid(text, 0, text.length));
            assertEquals(uuid.getMostSignificantBits(), Uuids.hi(text, 0));
            assertEquals(uuid.getLeastSignificantBits(), Uuids.lo(text, 0));
            assertEquals(uuid.toString(), Uuids.format(Uuids.hi(text, 0), Uuids.lo(text, 0)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "d54c1e24-8985-4710-b275-b19b15aed35", "d54c1e24-8985-4710-b275-b19b15aed3500",
        "d54c1e2408985-4710-b275-b19b15aed350", "d54c1e24-8985-4710-b275-b19b15aed35g", "{54c1e24-8985-4710-b275-b19b15aed35}",
        "g54c1e24-8985-4710-b275-b19b15aed350", "d54c1e24-x985-4710-b275-b19b15aed350",
        "d54c1e24-8985-47 0-b275-b19b15aed350", "d54c1e24-8985-4710-b2/5-b19b15aed350",
        "d54c1e24-8985-4710-b275-:19b15aed350", "d54c1e24-8985-4710-b275-b19b15aed35\u00e9"})
    void rejectsOtherText(String text) {
        byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        assertFalse(Uuids.isValid(ascii, 0, ascii.length));
    }
}
