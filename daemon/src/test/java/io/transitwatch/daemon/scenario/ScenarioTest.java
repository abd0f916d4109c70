package io.transitwatch.daemon.scenario;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A test of a {@link ScenarioRun}: the real daemon against its own simulated cluster for 20 s or more of
 * real time, nearly all of it spent waiting (the traffic is a few hundred flows per second, and the
 * verdicts wait for the join window). Such tests run side by side with each other, never with another
 * class (daemon/pom.xml, failsafe's {@code junit.jupiter.execution.parallel.*}): each run has its own
 * simulator, daemon, ports (all chosen by the kernel), stdout and temporary directory, and a run's
 * verdicts wait on event times and watermarks, not on how fast the machine is, so sharing the cores
 * delays them without changing them.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@Execution(ExecutionMode.CONCURRENT)
@interface ScenarioTest {}
