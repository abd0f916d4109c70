package io.transitwatch.daemon.handoff;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Thread-safe: lookups are lock-free and allocation-free from any number of threads; a string seen
 * for the first time is added under a lock (rare: node, namespace, pod and workload names repeat).
 *
 * <p>Interns the strings the join keeps (node, namespace, pod, workload and interface names) and
 * refers to them by {@code int} id, so that hand-off slots and join state stay primitive. Id
 * {@code 0} is "absent" (an empty string). Lookups hash the UTF-8 bytes straight out of the
 * protobuf buffer, so decoding a known name costs no allocation.
 *
 * <p>The dictionary is bounded: past {@code capacity} distinct strings every new string maps to
 * {@link #OVERFLOW} ("?") and {@link #overflowCount()} says how often that happened.
 */
public final class StringDictionary {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Id of the placeholder returned once the dictionary is full. */
    public static final int OVERFLOW = 1;
    private static final String OVERFLOW_TEXT = "?";

    private static final class Entry {
        final byte[] utf8;
        final String text;
        final int id;
        final int hash;

        Entry(byte[] utf8, String text, int id, int hash) {
            this.utf8 = utf8;
            this.text = text;
            this.id = id;
            this.hash = hash;
        }
    }

    private final int capacity;
    private final int mask;
    private final AtomicReferenceArray<Entry> table;
    private final AtomicReferenceArray<String> byId;
    private final Object insertLock = new Object();
    private final AtomicLong overflows = new AtomicLong();
    private volatile int size = 2; // ids 0 and 1 are reserved

    public StringDictionary(int capacity) {
        if (capacity < 4) {
            throw new IllegalArgumentException("capacity must be at least 4, was " + capacity);
        }
        this.capacity = capacity;
        int tableSize = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.mask = tableSize - 1;
        this.table = new AtomicReferenceArray<>(tableSize);
        this.byId = new AtomicReferenceArray<>(capacity);
        byId.set(0, "");
        byId.set(OVERFLOW, OVERFLOW_TEXT);
    }

    /** Id of {@code length} UTF-8 bytes at {@code offset}; 0 when {@code length == 0}. */
    public int intern(byte[] utf8, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        int hash = hash(utf8, offset, length);
        Entry found = find(utf8, offset, length, hash);
        if (found != null) {
            return found.id;
        }
        return insert(Arrays.copyOfRange(utf8, offset, offset + length), hash);
    }

    /** Id of {@code text}; 0 for null or empty. */
    public int intern(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return intern(utf8, 0, utf8.length);
    }

    /** The string of {@code id}: "" for 0, null for an id this dictionary never gave out. */
    public String get(int id) {
        if (id < 0 || id >= capacity) {
            return null;
        }
        return byId.get(id);
    }

    /** Number of ids handed out, the two reserved ones included. */
    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** How many times a new string was mapped to {@link #OVERFLOW} because the dictionary was full. */
    public long overflowCount() {
        return overflows.get();
    }

    private Entry find(byte[] utf8, int offset, int length, int hash) {
        int index = hash & mask;
        while (true) {
            Entry entry = table.get(index);
            if (entry == null) {
                return null;
            }
            if (entry.hash == hash
                    && Arrays.equals(entry.utf8, 0, entry.utf8.length, utf8, offset, offset + length)) {
                return entry;
            }
            index = (index + 1) & mask;
        }
    }

    private int insert(byte[] utf8, int hash) {
        synchronized (insertLock) {
            Entry raced = find(utf8, 0, utf8.length, hash);
            if (raced != null) {
                return raced.id;
            }
            if (size >= capacity) {
                overflows.incrementAndGet();
                return OVERFLOW;
            }
            int id = size;
            Entry entry = new Entry(utf8, new String(utf8, StandardCharsets.UTF_8), id, hash);
            byId.set(id, entry.text);
            int index = hash & mask;
            while (table.get(index) != null) {
                index = (index + 1) & mask;
            }
            table.set(index, entry);
            size = id + 1;
            return id;
        }
    }

    /** Eight bytes per multiply: names are 10-60 bytes and hashed for every string of every flow. */
    private static int hash(byte[] bytes, int offset, int length) {
        long h = length * 0x9E3779B97F4A7C15L;
        int i = offset;
        int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            h = (h ^ (long) LONGS.get(bytes, i)) * 0xC2B2AE3D27D4EB4FL;
            h ^= h >>> 29;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (bytes[i] & 0xffL) << shift;
        }
        h = (h ^ tail) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 32;
        return (int) h;
    }
}
