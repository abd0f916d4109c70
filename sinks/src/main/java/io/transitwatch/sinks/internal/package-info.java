/**
 * Helpers the sink packages share. Public only because Java has no module-private visibility
 * without JPMS; not an API for the daemon.
 */
package io.transitwatch.sinks.internal;
