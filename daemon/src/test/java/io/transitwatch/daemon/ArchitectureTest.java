package io.transitwatch.daemon;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.transitwatch.daemon.cli.ClusterSize;
import io.transitwatch.daemon.cli.DemoCommand;
import io.transitwatch.daemon.cli.SimulateCommand;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.replay.CaptureWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package rules of docs/architecture.md, checked on the compiled main classes of all
 * three modules (daemon's test classpath holds proto's and sinks' classes too); a broken rule fails
 * the build with the offending dependencies listed.
 */
class ArchitectureTest {
    private static JavaClasses production;

    @BeforeAll
    static void importMainClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.transitwatch");
    }

    /** {@code daemon → proto}, {@code daemon → sinks}; {@code sinks} and {@code proto} know neither. */
    @Test
    void moduleEdges() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("daemon").definedBy("io.transitwatch.daemon..")
                .layer("sinks").definedBy("io.transitwatch.sinks..")
                .layer("proto").definedBy("io.transitwatch.proto..")
                .whereLayer("daemon").mayNotBeAccessedByAnyLayer()
                .whereLayer("sinks").mayOnlyBeAccessedByLayers("daemon")
                .whereLayer("proto").mayOnlyBeAccessedByLayers("daemon")
                .because("docs/architecture.md: daemon → proto, daemon → sinks; sinks knows neither")
                .check(production);
    }

    /** The join reads NodeEvent slots and reports to listeners and counters: no I/O stack, no logging. */
    @Test
    void joinImportsNoTransportSinkOrLogging() {
        noClasses().that().resideInAPackage("io.transitwatch.daemon.join..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..",                                          // gRPC
                        "com.google.protobuf..", "io.transitwatch.proto..",  // protobuf
                        "org.apache.kafka..",                                 // Kafka
                        "com.sun.net.httpserver..", "java.net.http..", "io.prometheus..", // HTTP, metrics exposition
                        "io.fabric8..",                                       // Kubernetes
                        "java.util.logging..", "org.slf4j..")                 // logging
                .orShould().dependOnClassesThat().haveNameMatching("java\\.lang\\.System\\$Logger.*")
                .because("docs/architecture.md: join imports no gRPC, protobuf, Kafka, HTTP or logging")
                .check(production);
    }

    /**
     * The simulator is a demo and test workload: only the commands and the class that start it may use it
     * ({@code CaptureWriter} records a simulated run for {@code transitwatch replay}: it is the
     * simulator's {@code EmissionListener}; {@code ClusterSize} is the {@code --nodes} option both commands share).
     */
    @Test
    void onlyDemoAndSimulateUseTheSimulator() {
        noClasses().that(not(resideInAPackage("io.transitwatch.daemon.sim..")))
                .and(not(belongToAnyOf(DemoCommand.class, SimulateCommand.class, ClusterSize.class, Demo.class,
                        CaptureWriter.class)))
                .should().dependOnClassesThat().resideInAPackage("io.transitwatch.daemon.sim..")
                .because("production code does not run on the simulator (DESIGN §9)")
                .check(production);
    }

    /** {@code threads} is neutral: anything may use it without being tied to another package (ADR 0006). */
    @Test
    void threadNamingDependsOnNothing() {
        classes().that().resideInAPackage("io.transitwatch.daemon.threads..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..")
                .because("ADR 0006: the thread factory lives in a package that depends on nothing")
                .check(production);
    }

    /**
     * Threads are handed in: the components the lifecycle code wires get their thread factories in
     * their constructors; only the code that owns threads of its own (lifecycle, the simulator, the
     * commands) makes factories.
     */
    @Test
    void componentsGetTheirThreadsHandedIn() {
        noClasses().that().resideOutsideOfPackages(
                        "io.transitwatch.daemon.lifecycle..", "io.transitwatch.daemon.sim..",
                        "io.transitwatch.daemon.cli..", "io.transitwatch.daemon.threads..")
                .should().dependOnClassesThat().resideInAPackage("io.transitwatch.daemon.threads..")
                .because("ADR 0006: the lifecycle code creates the thread factories and passes them to the components")
                .check(production);
    }

    /** No cycles between the daemon's packages (a package with its subpackages is one slice). */
    @Test
    void daemonPackagesAreFreeOfCycles() {
        slices().matching("io.transitwatch.daemon.(*)..").namingSlices("$1")
                .should().beFreeOfCycles()
                .check(production);
    }
}
