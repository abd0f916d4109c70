package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Doctor's check that Hubble and the Kubernetes API name the nodes alike (hubble-api.md §1.2: {@code <cluster>/<node>}). */
class DoctorNodeNamesTest {
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    @Test
    void shouldCallItAProblemWhenNoStreamIsANodeKubernetesKnows() {
        DoctorReport.checkNodeNames(List.of("mesh-1/solwk01", "mesh-1/solwk02"), Set.of("solwk01", "solwk02"),
                problems, warnings);

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("[mesh-1/solwk01, mesh-1/solwk02]")
                && problems.get(0).contains("cluster-name"), problems.get(0));
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldWarnOfTheStreamsKubernetesDoesNotKnowWhenOthersMatch() {
        DoctorReport.checkNodeNames(List.of("solwk01", "solwk04"), Set.of("solwk01", "solwk02"), problems, warnings);

        assertEquals(List.of(), problems);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("[solwk04]"), warnings.get(0));
    }

    @Test
    void shouldSayNothingWhenTheNamesAgreeOrKubernetesIsSilent() {
        DoctorReport.checkNodeNames(List.of("mesh-1/solwk01"), Set.of("mesh-1/solwk01", "mesh-1/solwk02"), problems,
                warnings);
        DoctorReport.checkNodeNames(List.of("solwk01"), Set.of(), problems, warnings);

        assertEquals(List.of(), problems);
        assertEquals(List.of(), warnings);
    }
}
