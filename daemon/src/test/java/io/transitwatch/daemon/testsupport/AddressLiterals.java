package io.transitwatch.daemon.testsupport;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Stateless. IP address literals in one text form, so that the same address written two ways (a
 * simulator's {@code fd00:101:224:0::ccc4}, an alert's {@code fd00:101:224::ccc4}) compares equal.
 */
public final class AddressLiterals {
    private AddressLiterals() {
    }

    /** {@code literal} as {@link InetAddress#getHostAddress()} writes it; a literal is parsed, never looked up. */
    public static String canonical(String literal) {
        try {
            return InetAddress.getByName(literal).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + literal, e);
        }
    }
}
