package io.transitwatch.daemon.ingest;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Built on the lifecycle thread; {@link #run} then runs on the ingest's timer thread only. The key
 * and trust managers it feeds are thread-safe (grpc-java swaps their material atomically).
 *
 * <p>The CA, client certificate and key files, re-read when their content changes: a mounted
 * Secret rotates by kubelet pointing its {@code ..data} link at a new directory, so the paths stay
 * and the bytes behind them change. Each check reads the three (small) files and compares their
 * bytes with what was last loaded; on a change it parses them and hands the result to grpc-java's
 * {@link AdvancedTlsX509KeyManager} / {@link AdvancedTlsX509TrustManager}, which every new TLS
 * handshake asks. Connections already up keep what they were made with (ADR 0011). Files that
 * cannot be read or parsed (a half-written copy) keep the previous material; that is logged once,
 * in one line, until the files change again.
 */
final class TlsFileWatch implements Runnable {
    private static final System.Logger LOG = System.getLogger(TlsFileWatch.class.getName());

    private final IngestConfig.TlsFiles files;
    private final AdvancedTlsX509TrustManager trust;
    private final AdvancedTlsX509KeyManager identity;
    private byte[] loadedCa = new byte[0];
    private byte[] loadedCert = new byte[0];
    private byte[] loadedKey = new byte[0];
    private String lastProblem = "";

    /** Reads the files once; a missing or unusable file fails here, before anything connects. */
    TlsFileWatch(IngestConfig.TlsFiles files) throws IOException, GeneralSecurityException {
        this.files = files;
        this.trust = AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
                .build();
        this.identity = files.clientCert() == null ? null : new AdvancedTlsX509KeyManager();
        load();
    }

    AdvancedTlsX509TrustManager trustManager() {
        return trust;
    }

    /** Null without a client certificate. */
    AdvancedTlsX509KeyManager keyManager() {
        return identity;
    }

    @Override
    public void run() {
        try {
            if (load()) {
                lastProblem = "";
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            String problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!problem.equals(lastProblem)) { // once per problem, not once per check
                lastProblem = problem;
                LOG.log(Level.WARNING, "TLS files {0} changed but cannot be used ({1}); new connections keep the "
                        + "previous ones until the files are fixed", files, problem);
            }
        }
    }

    /** Loads what changed; true when anything did. */
    private boolean load() throws IOException, GeneralSecurityException {
        byte[] ca = Files.readAllBytes(files.caCert());
        byte[] cert = identity == null ? loadedCert : Files.readAllBytes(files.clientCert());
        byte[] key = identity == null ? loadedKey : Files.readAllBytes(files.clientKey());
        boolean caChanged = !Arrays.equals(ca, loadedCa);
        boolean pairChanged = !Arrays.equals(cert, loadedCert) || !Arrays.equals(key, loadedKey);
        if (!caChanged && !pairChanged) {
            return false;
        }
        // Parse everything before using anything: a pair is taken whole or not at all.
        X509Certificate[] authorities = caChanged ? certificates(ca, files.caCert()) : null;
        X509Certificate[] chain = pairChanged ? certificates(cert, files.clientCert()) : null;
        PrivateKey privateKey = pairChanged ? privateKey(key, files.clientKey()) : null;
        boolean first = loadedCa.length == 0;
        if (caChanged) {
            trust.updateTrustCredentials(authorities);
            loadedCa = ca;
        }
        if (pairChanged) {
            identity.updateIdentityCredentials(chain, privateKey);
            loadedCert = cert;
            loadedKey = key;
        }
        if (!first) {
            LOG.log(Level.INFO, "TLS files reloaded ({0}{1}); new connections use them, streams that are up "
                    + "keep theirs", caChanged ? "CA " + files.caCert() : "", pairChanged
                            ? (caChanged ? ", " : "") + "client certificate " + chain[0].getSubjectX500Principal()
                                    + " serial " + chain[0].getSerialNumber().toString(16) + " valid until "
                                    + chain[0].getNotAfter().toInstant()
                            : "");
        }
        return true;
    }

    private static X509Certificate[] certificates(byte[] pem, Path file) throws GeneralSecurityException {
        X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem)).stream()
                .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        if (chain.length == 0) {
            throw new GeneralSecurityException("no certificate in " + file);
        }
        return chain;
    }

    /** PKCS#8, PKCS#1 (RSA) or SEC1 (EC) PEM: whatever cert-manager, Helm or Cilium's certgen wrote. */
    private static PrivateKey privateKey(byte[] pem, Path file) throws IOException, GeneralSecurityException {
        try (Reader text = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(text)) {
            Object parsed = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new GeneralSecurityException("no unencrypted private key in " + file);
        }
    }
}
