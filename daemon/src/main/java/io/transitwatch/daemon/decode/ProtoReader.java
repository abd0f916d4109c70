package io.transitwatch.daemon.decode;

import io.transitwatch.daemon.handoff.NameCache;

/**
 * Single thread: one reader per decoder, reset for every message.
 *
 * <p>The few primitives of the protobuf wire format that {@link FlowDecoder} needs, read straight
 * from a byte array: varints, fixed-width values, length-delimited spans and skipping of any field
 * it does not know (all six wire types, groups included). Every read is bounded by an {@code end}
 * offset (the end of the enclosing message), so a nested length can never read past its parent.
 * Bad input throws the shared {@link MalformedMessageException}. Also reads the well-known
 * wrapper messages (Timestamp, BoolValue, Int32Value) and interns strings through the decoder's
 * {@link NameCache}s.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;

    // Fields numbered 1 to 6 that many small messages share.
    static final int F1_VARINT = tag(1, VARINT);
    static final int F2_VARINT = tag(2, VARINT);
    static final int F3_VARINT = tag(3, VARINT);
    static final int F1_LEN = tag(1, LEN);
    static final int F2_LEN = tag(2, LEN);
    static final int F3_LEN = tag(3, LEN);
    static final int F4_LEN = tag(4, LEN);
    static final int F5_LEN = tag(5, LEN);
    static final int F6_LEN = tag(6, LEN);

    /** Groups nest; a bound on the depth keeps a hostile message from exhausting the stack. */
    private static final int MAX_GROUP_DEPTH = 32;

    byte[] buf;
    int pos;

    void reset(byte[] buffer, int offset) {
        this.buf = buffer;
        this.pos = offset;
    }

    static int tag(int fieldNumber, int wireType) {
        return (fieldNumber << 3) | wireType;
    }

    int readTag(int end) {
        long tag = readVarint(end);
        if (tag <= 0 || tag > 0xffff_ffffL || (tag >>> 3) == 0) {
            throw MalformedMessageException.INSTANCE;
        }
        return (int) tag;
    }

    long readVarint(int end) {
        if (pos < end && buf[pos] >= 0) {
            return buf[pos++]; // tags, lengths, enums and most numbers of a flow fit in one byte
        }
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw MalformedMessageException.INSTANCE;
            }
            byte b = buf[pos++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw MalformedMessageException.INSTANCE;
    }

    /** Reads a length prefix and returns the end offset of the span that follows it. */
    int readLengthDelimitedEnd(int end) {
        long length = readVarint(end);
        if (length < 0 || length > end - pos) {
            throw MalformedMessageException.INSTANCE;
        }
        return pos + (int) length;
    }

    /** Reads a length prefix and returns the length; the span starts at {@link #pos}. */
    int readLength(int end) {
        int spanEnd = readLengthDelimitedEnd(end);
        return spanEnd - pos;
    }

    boolean readBool(int end) {
        return readVarint(end) != 0;
    }

    void skipField(int tag, int end) {
        skipField(tag, end, 0);
    }

    private void skipField(int tag, int end, int depth) {
        switch (tag & 7) {
            case VARINT -> readVarint(end);
            case FIXED64 -> skipBytes(8, end);
            case LEN -> pos = readLengthDelimitedEnd(end);
            case FIXED32 -> skipBytes(4, end);
            case START_GROUP -> skipGroup(tag >>> 3, end, depth + 1);
            default -> throw MalformedMessageException.INSTANCE; // END_GROUP without start, 6, 7
        }
    }

    private void skipGroup(int fieldNumber, int end, int depth) {
        if (depth > MAX_GROUP_DEPTH) {
            throw MalformedMessageException.INSTANCE;
        }
        while (true) {
            int tag = readTag(end);
            if ((tag & 7) == END_GROUP) {
                if ((tag >>> 3) != fieldNumber) {
                    throw MalformedMessageException.INSTANCE;
                }
                return;
            }
            skipField(tag, end, depth);
        }
    }

    private void skipBytes(int count, int end) {
        if (count > end - pos) {
            throw MalformedMessageException.INSTANCE;
        }
        pos += count;
    }

    /** {@code google.protobuf.Timestamp} spanning to {@code end}, as epoch nanoseconds. */
    long readTimestamp(int end) {
        long seconds = 0;
        long nanos = 0;
        while (pos < end) {
            int tag = readTag(end);
            if (tag == F1_VARINT) {
                seconds = readVarint(end);
            } else if (tag == F2_VARINT) {
                nanos = (int) readVarint(end);
            } else {
                skipField(tag, end);
            }
        }
        return seconds * 1_000_000_000L + nanos;
    }

    /** {@code google.protobuf.BoolValue}, spanning to {@code end}. */
    boolean readBoolValue(int end) {
        boolean value = false;
        while (pos < end) {
            int tag = readTag(end);
            if (tag == F1_VARINT) {
                value = readBool(end);
            } else {
                skipField(tag, end);
            }
        }
        return value;
    }

    /** {@code google.protobuf.Int32Value}, spanning to {@code end}. */
    int readInt32Value(int end) {
        int value = 0;
        while (pos < end) {
            int tag = readTag(end);
            if (tag == F1_VARINT) {
                value = (int) readVarint(end);
            } else {
                skipField(tag, end);
            }
        }
        return value;
    }

    /** A length-delimited UTF-8 string, as its dictionary id through {@code names} (0 when empty). */
    int readInterned(int end, NameCache names) {
        int length = readLength(end);
        int start = pos;
        pos += length;
        return names.intern(buf, start, length);
    }
}
