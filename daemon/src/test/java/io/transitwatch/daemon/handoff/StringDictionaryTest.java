package io.transitwatch.daemon.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StringDictionaryTest {
    @Test
    void sameBytesGiveTheSameIdAndDifferentStringsDifferentIds() {
        StringDictionary dictionary = new StringDictionary(4096);
        Map<String, Integer> ids = new HashMap<>();
        // Every length from 1 to 40 (the hash reads 8 bytes at a time, then a tail), prefixes of each
        // other, and names differing in one byte at every position.
        String base = "kube-system/coredns-5d78c9869d-abcdefghij";
        for (int length = 1; length <= 40; length++) {
            String prefix = base.substring(0, length);
            ids.put(prefix, dictionary.intern(prefix));
            for (int at = 0; at < length; at++) {
                String changed = prefix.substring(0, at) + 'Z' + prefix.substring(at + 1);
                ids.put(changed, dictionary.intern(changed));
            }
        }

        assertEquals(ids.size(), ids.values().stream().distinct().count(), "one id per distinct string");
        byte[] framed = ("xx" + base + "yy").getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, Integer> entry : ids.entrySet()) {
            assertEquals(entry.getKey(), dictionary.get(entry.getValue()));
            assertEquals(entry.getValue(), dictionary.intern(entry.getKey()));
        }
        assertEquals(ids.get(base.substring(0, 17)), dictionary.intern(framed, 2, 17), "bytes inside a buffer");
        assertNotEquals(0, dictionary.intern("é"));
        assertEquals(0, dictionary.intern(""));
    }
}
