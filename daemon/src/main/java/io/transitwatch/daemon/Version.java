package io.transitwatch.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * Thread-safe (stateless). The version printed by {@code transitwatch --version}: the Maven project
 * version, which the build writes into {@code version.properties} next to this class (a filtered
 * resource, so it is right in the jar and on the test classpath alike).
 */
public final class Version implements IVersionProvider {
    static final String RESOURCE = "version.properties";

    /** The project version, e.g. {@code 0.1.0}, or {@code dev} when the classes were not built by Maven. */
    public static String current() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the classpath", e);
        }
        String version = properties.getProperty("version", "");
        // Unfiltered (an IDE that copies resources without Maven): no version to tell.
        return version.isBlank() || version.contains("${") ? "dev" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"transitwatch " + current()};
    }
}
