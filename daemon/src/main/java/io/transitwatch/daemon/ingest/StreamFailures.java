package io.transitwatch.daemon.ingest;

import io.grpc.Status;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Thread-safe (stateless). Turns the status a stream ended with into one line an operator can act
 * on: which source, at which address, and — for TLS, where gRPC only says "UNAVAILABLE" — what
 * exactly failed: the server certificate not trusted by the configured CA, not valid for the
 * expected server name, or the server wanting a client certificate we did not present.
 */
final class StreamFailures {
    private StreamFailures() {}

    /** {@code "solwk02 (127.0.0.1:4301): TLS handshake failed: server certificate not trusted by CA /ca.pem"}. */
    static String describe(String source, String address, Status status, IngestConfig.TlsFiles tls, String serverName) {
        return source + " (" + address + "): " + cause(status, tls, serverName);
    }

    static String cause(Status status, IngestConfig.TlsFiles tls, String serverName) {
        String tlsText = tlsFailureText(status.getCause());
        if (tlsText == null) {
            String description = status.getDescription();
            Throwable cause = status.getCause();
            String detail = description == null ? "" : description;
            if (cause != null && cause.getMessage() != null) { // "io exception" alone says nothing; its cause does
                detail = detail.isEmpty() ? cause.getMessage() : detail + " (" + cause.getMessage() + ")";
            }
            return status.getCode() + (detail.isEmpty() ? "" : ": " + detail);
        }
        String lower = tlsText.toLowerCase(Locale.ROOT);
        if (lower.contains("certificate_required") || lower.contains("certificate required")
                || (tls != null && tls.clientCert() == null && lower.contains("handshake_failure"))) {
            return "TLS handshake failed: client certificate required by server"
                    + (tls != null && tls.clientCert() == null ? " (none configured: set a client certificate and key)" : "");
        }
        if (lower.contains("unknown_ca") || lower.contains("bad_certificate")) {
            return "TLS handshake failed: server rejected the client certificate"
                    + (tls != null && tls.clientCert() != null ? " " + tls.clientCert() : "") + " (not signed by a CA it trusts)";
        }
        if (lower.contains("no subject alternative") || lower.contains("no name matching")
                || lower.contains("hostname") || lower.contains("doesn't match")) {
            return "TLS handshake failed: server certificate is not valid for server name "
                    + (serverName == null ? "(target host)" : serverName);
        }
        if (lower.contains("pkix") || lower.contains("certification path") || lower.contains("certpath")
                || lower.contains("certificate_verify_failed") || lower.contains("unable to find valid")) {
            return "TLS handshake failed: server certificate not trusted by CA " + (tls == null ? "(none)" : tls.caCert());
        }
        return "TLS handshake failed: " + tlsText;
    }

    /** The messages of every SSL exception in the cause chain, or null when TLS is not involved. */
    private static String tlsFailureText(Throwable error) {
        StringBuilder text = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            boolean tlsProblem = t instanceof SSLException || t instanceof java.security.cert.CertificateException
                    || t instanceof java.security.cert.CertPathValidatorException;
            if (tlsProblem || (text != null && t.getMessage() != null)) {
                text = text == null ? new StringBuilder() : text.append(" / ");
                text.append(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return text == null ? null : text.toString();
    }
}
