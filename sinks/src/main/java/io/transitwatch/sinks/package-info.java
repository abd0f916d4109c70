/**
 * What TransitWatch reports and where it goes: the immutable {@link io.transitwatch.sinks.Alert}
 * and {@link io.transitwatch.sinks.IncidentChange} values, the {@link io.transitwatch.sinks.AlertSink}
 * SPI, and the sinks (stdout, Kafka, Slack) with the dispatcher that feeds them.
 *
 * <p>This module knows neither the Hubble protobufs nor the daemon: the daemon builds these values
 * and offers them to a {@link io.transitwatch.sinks.dispatch.SinkDispatcher}.
 */
package io.transitwatch.sinks;
