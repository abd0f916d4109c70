package io.transitwatch.daemon;

import picocli.CommandLine.IVersionProvider;

/** The version printed by {@code transitwatch --version}, from the jar manifest. */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"transitwatch " + (version == null ? "dev" : version)};
    }
}
