import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * Writes Java's CA store (cacerts) from a PEM bundle, byte for byte the same on every run, for
 * tools/build-image: a PKCS12 store of trusted certificates with neither certificate encryption nor a
 * MAC (so no random salt), entries in the order of their aliases (the SHA-256 fingerprint). Debian's
 * ca-certificates-java builds the same certificates into a store that differs on every build.
 *
 * <p>Usage: {@code java tools/image/JavaCaStore.java /etc/ssl/certs/ca-certificates.crt OUT}. The store
 * opens with the usual password {@code changeit} (or none).
 */
public final class JavaCaStore {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java JavaCaStore.java PEM-BUNDLE OUT");
            System.exit(2);
        }
        System.setProperty("keystore.pkcs12.certProtectionAlgorithm", "NONE");
        System.setProperty("keystore.pkcs12.macAlgorithm", "NONE");
        TreeMap<String, Certificate> byAlias = new TreeMap<>();
        try (InputStream in = new FileInputStream(args[0])) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
                byAlias.put("debian:" + HexFormat.of().formatHex(digest), certificate);
            }
        }
        if (byAlias.isEmpty()) {
            System.err.println("no certificate in " + args[0]);
            System.exit(1);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (var entry : byAlias.entrySet()) {
            store.setCertificateEntry(entry.getKey(), entry.getValue());
        }
        try (OutputStream out = new FileOutputStream(args[1])) {
            store.store(out, "changeit".toCharArray());
        }
        System.err.println("JavaCaStore: " + byAlias.size() + " certificates into " + args[1]);
    }
}
