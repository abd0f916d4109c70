package io.transitwatch.daemon.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code TRANSITWATCH_*} environment variables: {@code TRANSITWATCH_JOIN_WINDOW=10s} sets
 * {@code join.window} (upper case, dots and dashes as underscores; lists comma-separated).
 *
 * <p>Other {@code TRANSITWATCH_*} variables are ignored, not rejected: Kubernetes injects service links
 * such as {@code TRANSITWATCH_PORT} and {@code TRANSITWATCH_SERVICE_HOST} into pods of a namespace with
 * a Service named {@code transitwatch}, and the launcher script reads {@code TRANSITWATCH_JAVA_OPTS}.
 */
final class EnvSource {
    private EnvSource() {}

    static void read(Map<String, String> environment, RawConfig into) {
        for (Key<?> key : ConfigKeys.keys()) {
            String value = environment.get(key.envName());
            if (value != null) {
                into.set(key.name(), value, key.envName());
            }
        }
        // Sorted, so that errors come out in the same order on every run.
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            for (PassThrough prefix : ConfigKeys.passThroughs()) {
                String name = variable.getKey();
                if (name.startsWith(prefix.envName()) && name.length() > prefix.envName().length()) {
                    into.set(prefix.keyOfEnv(name), variable.getValue(), name);
                }
            }
        }
    }
}
