package io.transitwatch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code transitwatch -V} prints the Maven project version (daemon/pom.xml passes it as transitwatch.projectVersion). */
class VersionTest {
    private static final String PROJECT_VERSION = System.getProperty("transitwatch.projectVersion");

    @Test
    void shouldPrintTheProjectVersionForDashVAndForVersion() {
        assertNotNull(PROJECT_VERSION, "run through Maven: daemon/pom.xml sets -Dtransitwatch.projectVersion");

        assertEquals("transitwatch " + PROJECT_VERSION + "\n", version("-V"));
        assertEquals("transitwatch " + PROJECT_VERSION + "\n", version("--version"));
        assertEquals("transitwatch " + PROJECT_VERSION + "\n", version("config", "-V"));
        for (String command : new String[] {"demo", "run", "replay", "tail", "simulate", "config"}) {
            assertEquals("transitwatch " + PROJECT_VERSION + "\n", version(command, "-V"), command + " -V");
            assertEquals("transitwatch " + PROJECT_VERSION + "\n", version(command, "--version"), command + " --version");
        }
        assertEquals(PROJECT_VERSION, Version.current());
    }

    private static String version(String... args) {
        StringWriter out = new StringWriter();
        int exit = TransitWatch.commandLine().setOut(new PrintWriter(out, true)).execute(args);
        assertEquals(0, exit);
        return out.toString().replace(System.lineSeparator(), "\n");
    }
}
