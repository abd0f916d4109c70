package io.transitwatch.sinks;

/** Thread-safe (constants): the two address-family names of alerts and incidents, spelled as in DESIGN §6. */
public final class Families {
    public static final String IPV4 = "IPv4";
    public static final String IPV6 = "IPv6";

    private Families() {}

    /** Returns {@code family} if it is "IPv4" or "IPv6"; otherwise throws, naming the value. */
    static String require(String family) {
        if (!IPV4.equals(family) && !IPV6.equals(family)) {
            throw new IllegalArgumentException("family must be \"IPv4\" or \"IPv6\", was " + quoted(family));
        }
        return family;
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
