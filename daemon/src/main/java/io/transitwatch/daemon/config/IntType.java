package io.transitwatch.daemon.config;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Whole numbers within a range; optionally powers of two (ring capacities index with a mask). */
final class IntType implements ValueType<Integer> {
    private final int min;
    private final int max;
    private final boolean powerOfTwo;

    private IntType(int min, int max, boolean powerOfTwo) {
        this.min = min;
        this.max = max;
        this.powerOfTwo = powerOfTwo;
    }

    static IntType range(int min, int max) {
        return new IntType(min, max, false);
    }

    static IntType powerOfTwo(int min, int max) {
        if (Integer.bitCount(min) != 1 || Integer.bitCount(max) != 1) {
            throw new IllegalArgumentException("bounds must be powers of two: " + min + ".." + max);
        }
        return new IntType(min, max, true);
    }

    @Override
    public String describe() {
        String range = max == Integer.MAX_VALUE ? " >= " + min : " " + min + ".." + max;
        return (powerOfTwo ? "power of two" : "int") + range;
    }

    @Override
    public Integer parse(Object given) throws InvalidValue {
        String text = InvalidValue.scalarText(given, "a whole number", "write a whole number like " + min);
        BigInteger number;
        try {
            number = new BigDecimal(text.replace("_", "")).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw InvalidValue.of(given, "is not a whole number; write a whole number between " + min + " and " + max);
        }
        if (number.compareTo(BigInteger.valueOf(min)) < 0 || number.compareTo(BigInteger.valueOf(max)) > 0) {
            throw InvalidValue.of(given, "must be between " + min + " and " + max);
        }
        int value = number.intValueExact();
        if (powerOfTwo && Integer.bitCount(value) != 1) {
            throw InvalidValue.of(given, "must be a power of two; try " + nearestPowerOfTwo(value));
        }
        return value;
    }

    @Override
    public Object toPlain(Integer value) {
        return value;
    }

    /** Within the range, since both bounds are powers of two; ties go up (more room, not less). */
    private static int nearestPowerOfTwo(int value) {
        int below = Integer.highestOneBit(value);
        long above = (long) below << 1;
        return value - below < above - value ? below : (int) above;
    }
}
