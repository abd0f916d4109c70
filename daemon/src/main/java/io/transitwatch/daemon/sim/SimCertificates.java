package io.transitwatch.daemon.sim;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Thread-safe (stateless). Issues a throw-away PKI shaped like Cilium's Hubble TLS setup, for the
 * simulator's mTLS mode and for tests: a CA, one server certificate whose SANs are Cilium's names
 * ({@code *.default.hubble-grpc.cilium.io} like {@code hubble-server-certs},
 * {@code *.hubble-relay.cilium.io} like {@code hubble-relay-server-certs}), the node TLS names
 * given, {@code localhost} and {@code 127.0.0.1}, and a client certificate like
 * {@code hubble-relay-client-certs}. PEM files, PKCS#8 keys, P-256. The CA key is written too
 * ({@code ca.key}), so that tests can issue a rotated client certificate ({@link #issueClient}).
 */
public final class SimCertificates {
    /** Files written by {@link #generate}. */
    public record Files(Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
        /** The CA's private key, next to its certificate. */
        public Path caKey() {
            return caCert.resolveSibling("ca.key");
        }
    }

    /** Cilium's wildcard for the node servers of a cluster named {@code default} ({@code hubble-server-certs}). */
    public static final String NODE_WILDCARD = "*.default.hubble-grpc.cilium.io";
    /** Cilium's wildcard for Hubble Relay's server certificate ({@code hubble-relay-server-certs}). */
    public static final String RELAY_WILDCARD = "*.hubble-relay.cilium.io";

    private static final SecureRandom RANDOM = new SecureRandom();

    private SimCertificates() {}

    /**
     * Writes {@code ca.pem}, {@code server.pem}, {@code server.key}, {@code client.pem} and
     * {@code client.key} into {@code dir} (created if missing), valid for two days.
     *
     * @param serverNames DNS names the server certificate is valid for, besides localhost
     */
    public static Files generate(Path dir, List<String> serverNames) {
        List<String> names = new ArrayList<>(List.of(NODE_WILDCARD, RELAY_WILDCARD));
        names.addAll(serverNames);
        return generate(dir, names, true);
    }

    /**
     * As {@link #generate}, with a server certificate that carries only {@code *.hubble-relay.cilium.io},
     * as Cilium issues Relay's: a client must ask for a name under it, not for the address it dials.
     */
    public static Files generateRelayOnly(Path dir) {
        return generate(dir, List.of(RELAY_WILDCARD), false);
    }

    private static Files generate(Path dir, List<String> serverNames, boolean localNames) {
        try {
            java.nio.file.Files.createDirectories(dir);
            KeyPair caKeys = newKeyPair();
            X500Name caName = new X500Name("CN=transitwatch-sim-ca");
            X509Certificate ca = sign(caName, caKeys, caName, caKeys.getPublic(), true, null, null);

            List<GeneralName> sans = new ArrayList<>();
            if (localNames) {
                sans.add(new GeneralName(GeneralName.dNSName, "localhost"));
                sans.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            }
            for (String name : serverNames) {
                sans.add(new GeneralName(GeneralName.dNSName, name));
            }
            KeyPair serverKeys = newKeyPair();
            X509Certificate server = sign(caName, caKeys, new X500Name("CN=" + serverNames.get(0)),
                    serverKeys.getPublic(), false, new GeneralNames(sans.toArray(GeneralName[]::new)),
                    KeyPurposeId.id_kp_serverAuth);

            KeyPair clientKeys = newKeyPair();
            X509Certificate client = sign(caName, caKeys, new X500Name("CN=*.hubble-relay.cilium.io"),
                    clientKeys.getPublic(), false, null, KeyPurposeId.id_kp_clientAuth);

            Files files = new Files(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"),
                    dir.resolve("client.pem"), dir.resolve("client.key"));
            writePem(files.caCert(), ca);
            writePem(files.caKey(), new JcaPKCS8Generator(caKeys.getPrivate(), null).generate());
            writePem(files.serverCert(), server);
            writePem(files.serverKey(), new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate());
            writePem(files.clientCert(), client);
            writePem(files.clientKey(), new JcaPKCS8Generator(clientKeys.getPrivate(), null).generate());
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate test certificates: " + e, e);
        }
    }

    /**
     * Issues a new client certificate (new key) from the CA in {@code files}, as a rotated
     * {@code hubble-relay-client-certs} would be, into {@code cert} and {@code key}.
     *
     * @return the new certificate
     */
    public static X509Certificate issueClient(Files files, String commonName, Path cert, Path key) {
        try (java.io.Reader caKeyText = java.nio.file.Files.newBufferedReader(files.caKey(), StandardCharsets.US_ASCII);
                org.bouncycastle.openssl.PEMParser parser = new org.bouncycastle.openssl.PEMParser(caKeyText)) {
            java.security.PrivateKey caKey = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter()
                    .getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) parser.readObject());
            X509Certificate ca;
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(files.caCert())) {
                ca = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            KeyPair clientKeys = newKeyPair();
            X500Name caName = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
            X509Certificate client = sign(caName, new KeyPair(ca.getPublicKey(), caKey), new X500Name("CN=" + commonName),
                    clientKeys.getPublic(), false, null, KeyPurposeId.id_kp_clientAuth);
            writePem(cert, client);
            writePem(key, new JcaPKCS8Generator(clientKeys.getPrivate(), null).generate());
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a client certificate: " + e, e);
        }
    }

    /** The TLS server name Cilium gives a node: dots in the node and cluster names become dashes. */
    public static String hubbleServerName(String node, String cluster) {
        return node.replace('.', '-') + "." + cluster.replace('.', '-') + ".hubble-grpc.cilium.io";
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
            java.security.PublicKey subjectKey, boolean isCa, GeneralNames sans, KeyPurposeId purpose)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), subject, subjectKey);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (sans != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
        X509CertificateHolder holder = builder.build(signer);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static void writePem(Path file, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        java.nio.file.Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
    }
}
