package io.transitwatch.daemon.config;

/** Which alerts the stdout sink prints one by one ({@code stdout.alerts}). */
public enum StdoutAlerts {
    /** Every incident change; per incident the first few alerts, then their counts per interval. */
    SUMMARY,
    /** Every alert and every incident change, one line each. */
    EVERY
}
