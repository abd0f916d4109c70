/**
 * How TransitWatch names its threads: {@link io.transitwatch.daemon.threads.NamedThreadFactory}.
 *
 * <p>This package depends on nothing but {@code java.base}, so using it ties no package to another.
 * The components that the lifecycle code wires do not use it: the lifecycle code hands them their
 * thread factories. It is used by the code that owns threads of its own: the lifecycle code, the
 * simulator (started by the demo, the {@code simulate} command and tests alike), the {@code tail}
 * command and the benchmarks. Both rules are checked by {@code ArchitectureTest} (ADR 0006).
 */
package io.transitwatch.daemon.threads;
