package io.transitwatch.daemon.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads the configuration from four layers, lowest precedence first: the defaults of
 * {@link ConfigKeys}, a YAML file, {@code TRANSITWATCH_*} environment variables, {@code --set key=value}
 * flags. Checks everything once, before anything starts, and reports every problem together.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Every key at its default. */
    public static Settings defaults() {
        return load(null, Map.of(), List.of());
    }

    /** As {@code transitwatch run} loads it, with this process's environment: the one place that reads it. */
    public static Settings load(Path file, List<String> assignments) {
        return load(file, System.getenv(), assignments);
    }

    /**
     * @param file the YAML file, or null for none
     * @param environment the environment variables ({@code TRANSITWATCH_*} set keys; others are ignored
     *     unless a key such as {@code slack.webhook-url-env} names them)
     * @param assignments {@code key=value} texts of the {@code --set} flags, in order (the last wins)
     * @throws InvalidConfigException with every problem found
     */
    public static Settings load(Path file, Map<String, String> environment, List<String> assignments) {
        RawConfig raw = new RawConfig();
        if (file != null) {
            YamlSource.read(file, raw);
        }
        EnvSource.read(environment, raw);
        FlagSource.read(assignments, raw);

        List<ConfigError> errors = new ArrayList<>(raw.errors());
        Map<String, Object> values = new LinkedHashMap<>();
        Set<Key<?>> invalid = new HashSet<>();
        for (Key<?> key : ConfigKeys.keys()) {
            resolve(key, raw.given(key), values, invalid, errors);
        }
        Map<String, String> passThrough = passThrough(raw, errors);
        Settings settings = new Settings(values, passThrough, namedEnvironment(values, environment));
        errors.addAll(CrossKeyRules.check(settings, invalid));
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        return settings;
    }

    private static <T> void resolve(Key<T> key, Optional<RawConfig.Given> given, Map<String, Object> values,
            Set<Key<?>> invalid, List<ConfigError> errors) {
        if (given.isEmpty()) {
            key.defaultValue().ifPresent(value -> values.put(key.name(), value));
            return;
        }
        Object value = given.get().value();
        boolean optional = key.defaultValue().isEmpty();
        if (optional && value instanceof String && ((String) value).isBlank()) {
            return; // an empty value clears an optional key, e.g. TRANSITWATCH_HUBBLE_TLS_SERVER_NAME=""
        }
        try {
            values.put(key.name(), key.type().parse(value));
        } catch (InvalidValue e) {
            invalid.add(key);
            for (String problem : e.problems()) {
                errors.add(new ConfigError(key.name(), problem + given.get().originSuffix()));
            }
        }
    }

    /** Pass-through properties are text; a list or a map under the prefix is a mistake. */
    private static Map<String, String> passThrough(RawConfig raw, List<ConfigError> errors) {
        Map<String, String> properties = new LinkedHashMap<>();
        raw.passThrough().forEach((name, given) -> {
            try {
                properties.put(name, InvalidValue.scalarText(given.value(), "a single value",
                        "write it as text, like kafka.producer.linger.ms: 5"));
            } catch (InvalidValue e) {
                e.problems().forEach(problem -> errors.add(new ConfigError(name, problem + given.originSuffix())));
            }
        });
        return properties;
    }

    /** Values of the variables that keys of type {@link TextType#ENV_VAR_NAME} name; nothing else is kept. */
    private static Map<String, String> namedEnvironment(Map<String, Object> values, Map<String, String> environment) {
        Map<String, String> named = new LinkedHashMap<>();
        for (Key<?> key : ConfigKeys.keys()) {
            Object variable = values.get(key.name());
            if (key.type() == TextType.ENV_VAR_NAME && variable != null && environment.containsKey(variable)) {
                named.put((String) variable, environment.get(variable));
            }
        }
        return named;
    }
}
