/**
 * The daemon's one configuration.
 *
 * <p>Every key is declared once, in {@link io.transitwatch.daemon.config.ConfigKeys}, with its type,
 * default and doc; the reference output ({@code transitwatch config defaults}) and
 * {@code docs/configuration.md} are generated from those declarations, so they cannot drift.
 *
 * <p>{@link io.transitwatch.daemon.config.ConfigLoader} reads four layers, lowest precedence first:
 * the defaults, a YAML file, {@code TRANSITWATCH_*} environment variables, {@code --set key=value}
 * flags. It checks everything once, collects every error (each names the key, the value as given and
 * the fix), and returns an immutable {@link io.transitwatch.daemon.config.Settings}. Nothing else in
 * the daemon reads the environment.
 */
package io.transitwatch.daemon.config;
