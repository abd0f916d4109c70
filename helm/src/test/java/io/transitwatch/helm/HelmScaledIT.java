package io.transitwatch.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.HubbleMode;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.config.SinkKind;
import io.transitwatch.helm.ChartTools.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's {@code mode: scaled} (docs/scaling.md), rendered by the real helm for every scenario in
 * ci/scaled/: lint, the offline Kubernetes schema validation of every document (Strimzi's KafkaTopic
 * against our subset schema), the kinds, replicas and subcommands of the three roles, each role's
 * configuration loaded by the daemon's own ConfigLoader in a simulated pod, the topics, and the values
 * the chart refuses. The subcommands themselves are not run: the chart is checked for what it hands them.
 */
class HelmScaledIT {
    static final String STRIMZI = "scaled/strimzi-values.yaml";
    static final String MINIMAL = "scaled/minimal-values.yaml";
    static final List<String> ROLES = List.of("collector", "correlator", "incidents");

    private static ChartTools tools;

    @BeforeAll
    static void locateTools() throws Exception {
        tools = ChartTools.locate();
    }

    static Stream<String> scenarios() throws IOException {
        Path dir = Path.of(System.getProperty("transitwatch.helm.dir", "")).resolve("transitwatch/ci/scaled");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> "scaled/" + p.getFileName()).filter(n -> n.endsWith(".yaml"))
                    .sorted().toList();
            assertTrue(names.containsAll(List.of(STRIMZI, MINIMAL)), "ci/scaled/ scenarios: " + names);
            return names.stream();
        }
    }

    // ---- helm lint, Kubernetes schemas, kinds ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldLintStrictlyClean(String scenario) throws Exception {
        String out = tools.lintStrict(scenario);
        assertTrue(out.contains("1 chart(s) linted, 0 chart(s) failed"), out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldRenderOnlyDocumentsThatPassKubernetesSchemaValidation(String scenario) throws Exception {
        Rendered rendered = tools.render(scenario);
        String out = tools.node(rendered.text, "validate.mjs").ok("validate.mjs on the render with " + scenario);
        assertFalse(out.contains("FAIL"), out);
        assertEquals(rendered.documents.size(), out.lines().filter(l -> l.startsWith("ok")).count(),
                "every rendered document validated:\n" + out);
        assertEquals(rendered.all("KafkaTopic").size(),
                out.lines().filter(l -> l.startsWith("ok*") && l.contains("KafkaTopic")).count(),
                "every KafkaTopic checked against our own subset schema:\n" + out);
    }

    @Test
    void shouldRenderTheThreeRolesAndTheirBudgetsInsteadOfTheSingleDeployment() throws Exception {
        Map<String, Long> minimal = kindCounts(tools.render(MINIMAL));
        Map<String, Long> expected = new TreeMap<>(Map.of("ServiceAccount", 1L, "ConfigMap", 3L, "Service", 3L,
                "StatefulSet", 2L, "Deployment", 1L, "PodDisruptionBudget", 3L));
        // one ClusterRole; a Role for cilium-config in Cilium's namespace, one for the API server's slice in default
        expected.putAll(Map.of("ClusterRole", 1L, "ClusterRoleBinding", 1L, "Role", 2L, "RoleBinding", 2L));
        assertEquals(expected, minimal, "no helm test Pod, no KafkaTopic without scaled.topics.strimzi.enabled");

        Map<String, Long> strimzi = kindCounts(tools.render(STRIMZI));
        assertEquals(5L, strimzi.get("KafkaTopic"), "events, observers, pair counts, alerts, incidents");
        assertEquals(2L, strimzi.get("StatefulSet"));
        assertEquals(1L, strimzi.get("Deployment"));

        Rendered single = Rendered.parse(tools.template(HelmChartIT.DEFAULT).ok("helm template"));
        for (String kind : List.of("StatefulSet", "PodDisruptionBudget", "KafkaTopic")) {
            assertTrue(single.all(kind).isEmpty(), "mode single renders no " + kind);
        }
        assertEquals(single.text, tools.template(HelmChartIT.DEFAULT, "--set", "mode=single").ok("mode=single"),
                "mode: single is the default");
        assertTrue(tools.renderWith(MINIMAL, "--set", "scaled.podDisruptionBudget.enabled=false")
                .all("PodDisruptionBudget").isEmpty());
    }

    private static Map<String, Long> kindCounts(Rendered rendered) {
        return new TreeMap<>(rendered.documents.stream()
                .collect(Collectors.groupingBy(d -> d.path("kind").asText(), Collectors.counting())));
    }

    // ---- the roles: replicas, subcommands, identity ----

    @Test
    void shouldRunEachRoleWithItsSubcommandReplicasAndStableIdentity() throws Exception {
        Rendered rendered = tools.render(STRIMZI);
        JsonNode collectors = rendered.named("StatefulSet", "tw-transitwatch-collector").path("spec");
        assertEquals(2, collectors.path("replicas").asInt());
        assertEquals("Parallel", collectors.path("podManagementPolicy").asText());
        assertEquals(List.of("collect", "--config", "/etc/transitwatch/config.yaml"), args(podOf(rendered, "collector")));

        JsonNode correlators = rendered.named("StatefulSet", "tw-transitwatch-correlator").path("spec");
        assertEquals(3, correlators.path("replicas").asInt());
        assertEquals(List.of("correlate", "--config", "/etc/transitwatch/config.yaml"), args(podOf(rendered, "correlator")));

        JsonNode incidents = rendered.named("Deployment", "tw-transitwatch-incidents").path("spec");
        assertEquals(1, incidents.path("replicas").asInt());
        assertEquals("Recreate", incidents.path("strategy").path("type").asText(), "never two incident stages at once");
        assertEquals(List.of("incidents", "--config", "/etc/transitwatch/config.yaml"), args(podOf(rendered, "incidents")));

        for (String role : List.of("collector", "correlator")) {
            JsonNode spec = rendered.named("StatefulSet", "tw-transitwatch-" + role).path("spec");
            JsonNode service = rendered.named("Service", spec.path("serviceName").asText());
            assertEquals("None", service.path("spec").path("clusterIP").asText(), role + ": a headless Service");
            assertTrue(service.path("spec").path("ports").isMissingNode(),
                    role + ": no port, so the ServiceMonitor scrapes each pod once, through the main Service");
            assertEquals(spec.path("selector").path("matchLabels"), service.path("spec").path("selector"));
        }
        JsonNode metrics = rendered.named("Service", "tw-transitwatch").path("spec");
        assertEquals("{\"app.kubernetes.io/name\":\"transitwatch\",\"app.kubernetes.io/instance\":\"tw\"}",
                metrics.path("selector").toString(), "the metrics Service selects the pods of every role");
    }

    @Test
    void shouldMakeScaleShardsTheNumberOfCollectorsAndRollOnlyTheRolesWhoseConfigurationChanged() throws Exception {
        Rendered base = tools.render(STRIMZI);
        Rendered five = tools.renderWith(STRIMZI, "--set", "scaled.collector.replicas=5");
        assertEquals(5, five.named("StatefulSet", "tw-transitwatch-collector").path("spec").path("replicas").asInt());
        assertEquals(5, Rendered.YAML.readTree(configOf(five, "collector")).path("scale").path("shards").asInt());
        assertNotEquals(checksum(base, "collector"), checksum(five, "collector"), "the collectors roll: a new shard count");
        assertEquals(checksum(base, "correlator"), checksum(five, "correlator"), "the correlators do not");
        assertEquals(checksum(base, "incidents"), checksum(five, "incidents"), "the incident stage does not");
        assertNotEquals(checksum(base, "incidents"), checksum(tools.renderWith(STRIMZI, "--set", "slack.groupWait=1m"), "incidents"));
    }

    @Test
    void shouldKeepTheRolesNamesDistinctAndShortEnoughForAStatefulSetWithALongFullName() throws Exception {
        String longName = "a-very-long-release-name-that-goes-on-and-on-for-quite-a-whilex";
        assertEquals(63, longName.length());
        Rendered rendered = tools.renderWith(STRIMZI, "--set", "fullnameOverride=" + longName);
        for (String kind : List.of("ConfigMap", "Service", "PodDisruptionBudget", "KafkaTopic")) {
            List<String> names = rendered.all(kind).stream().map(d -> d.path("metadata").path("name").asText()).toList();
            assertEquals(names.size(), Set.copyOf(names).size(), kind + " names collide: " + names);
            names.forEach(name -> assertTrue(name.length() <= 63, name));
        }
        for (JsonNode statefulSet : rendered.all("StatefulSet")) {
            String name = statefulSet.path("metadata").path("name").asText();
            assertTrue(name.length() <= 52, "controller-revision-hash = " + name + "-<10 characters> must fit 63");
        }
        String incidents = rendered.all("Deployment").get(0).path("metadata").path("name").asText();
        assertEquals(incidents, Rendered.YAML.readTree(configOfDeployment(rendered)).path("scale").path("member-id").asText(),
                "the incident stage's member id is its Deployment's name");
    }

    private static String configOfDeployment(Rendered rendered) {
        JsonNode pod = rendered.all("Deployment").get(0).path("spec").path("template");
        JsonNode volume = Rendered.find(pod.path("spec").path("volumes"), v -> v.path("name").asText().equals("config"))
                .orElseThrow();
        return rendered.named("ConfigMap", volume.path("configMap").path("name").asText()).path("data").path("config.yaml").asText();
    }

    // ---- each pod's configuration, as the daemon loads it ----

    static Stream<String> scenarioRoles() throws IOException {
        return scenarios().flatMap(s -> ROLES.stream().map(r -> s + " " + r));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarioRoles")
    void shouldRenderForEveryPodAConfigurationTheDaemonAccepts(String scenarioRole, @TempDir Path root) throws Exception {
        String[] parts = scenarioRole.split(" ");
        Settings settings = load(tools.render(parts[0]), parts[1], root);
        assertFalse(settings.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS).isEmpty(), "every role talks to Kafka");
        Set<String> producerNames = ProducerConfig.configNames();
        settings.passThrough(ConfigKeys.KAFKA_PRODUCER).keySet().forEach(property -> assertTrue(
                producerNames.contains(property), "kafka.producer." + property + " is not a Kafka producer property"));
        Set<String> consumerNames = ConsumerConfig.configNames();
        Map<String, String> consumer = settings.passThrough(ConfigKeys.KAFKA_CONSUMER);
        consumer.keySet().forEach(property -> assertTrue(consumerNames.contains(property),
                "kafka.consumer." + property + " is not a Kafka consumer property"));
        assertEquals(settings.passThrough(ConfigKeys.KAFKA_PRODUCER).get("security.protocol"), consumer.get("security.protocol"),
                "the consumer speaks to the brokers as the producer does");
        assertEquals(settings.passThrough(ConfigKeys.KAFKA_PRODUCER).get("sasl.jaas.config"), consumer.get("sasl.jaas.config"));
        assertTrue(settings.find(ConfigKeys.SCALE_SHARD_INDEX).isEmpty(), "the shard comes from the pod's name");
    }

    @Test
    void shouldGiveEachRoleWhatItNeedsAndNoMore(@TempDir Path root) throws Exception {
        Rendered rendered = tools.render(STRIMZI);
        Settings collector = load(rendered, "collector", root.resolve("collector"));
        assertEquals(HubbleMode.DIRECT, collector.get(ConfigKeys.HUBBLE_MODE));
        assertEquals(root.resolve("collector/var/lib/transitwatch/tls/tls.key"), collector.get(ConfigKeys.HUBBLE_TLS_KEY_FILE));
        assertEquals(2, collector.integer(ConfigKeys.SCALE_SHARDS));
        assertEquals(Duration.ofMillis(250), collector.duration(ConfigKeys.SCALE_HEARTBEAT_INTERVAL), "config.* reaches every role");

        Settings correlator = load(rendered, "correlator", root.resolve("correlator"));
        assertEquals("transitwatch-correlators-prod", correlator.get(ConfigKeys.SCALE_CORRELATOR_GROUP));
        assertTrue(correlator.find(ConfigKeys.SCALE_MEMBER_ID).isEmpty(),
                "the static member id is the pod name (HOSTNAME): tw-transitwatch-correlator-0, -1, ...");
        assertEquals("60000", correlator.passThrough(ConfigKeys.KAFKA_CONSUMER).get("session.timeout.ms"));
        assertTrue(correlator.passThrough(ConfigKeys.KAFKA_CONSUMER).get("sasl.jaas.config").contains("from-transitwatch-kafka-user"),
                "the consumer's JAAS line comes from the Secret, through the environment");

        Settings incidents = load(rendered, "incidents", root.resolve("incidents"));
        assertEquals(List.of(SinkKind.STDOUT, SinkKind.SLACK), incidents.get(ConfigKeys.SINKS));
        assertEquals(root.resolve("incidents/var/run/secrets/transitwatch/slack/url"), incidents.get(ConfigKeys.SLACK_WEBHOOK_URL_FILE));
        assertEquals("tw-transitwatch-incidents", incidents.get(ConfigKeys.SCALE_MEMBER_ID),
                "one incident stage at a time: a fixed member id takes its partitions back at once");

        assertEquals(Set.of("config", "tmp", "hubble-tls", "kafka-tls"), volumeNames(podOf(rendered, "collector")));
        assertEquals(Set.of("config", "tmp", "kafka-tls"), volumeNames(podOf(rendered, "correlator")));
        assertEquals(Set.of("config", "tmp", "kafka-tls", "slack-webhook"), volumeNames(podOf(rendered, "incidents")),
                "Hubble's client certificate only in the collectors, the Slack URL only in the incident stage");
        for (String role : ROLES) {
            JsonNode spec = podOf(rendered, role).path("spec");
            String kubernetes = env(container(podOf(rendered, role)), "TRANSITWATCH_KUBERNETES_ENABLED");
            assertEquals(Boolean.parseBoolean(kubernetes), spec.path("automountServiceAccountToken").asBoolean(),
                    role + ": the token exactly when the role reads the Kubernetes API");
            assertEquals(!role.equals("incidents"), Boolean.parseBoolean(kubernetes), role);
            assertTrue(container(podOf(rendered, role)).path("securityContext").path("readOnlyRootFilesystem").asBoolean());
            assertFalse(container(podOf(rendered, role)).path("resources").path("limits").has("cpu"));
        }
        for (String secretish : List.of("jaas", "password", "hooks.slack.com", "LoginModule")) {
            for (String role : ROLES) {
                assertFalse(configOf(rendered, role).contains(secretish), role + " config.yaml contains " + secretish);
            }
        }
    }

    @Test
    void shouldComposeTheJaasLineForProducerAndConsumerFromAUserNameAndAPassword(@TempDir Path root) throws Exception {
        Settings settings = load(tools.render(MINIMAL), "correlator", root);
        String expected = "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"placeholder-transitwatch-kafka-username\" password=\"placeholder-transitwatch-kafka-password\";";
        assertEquals(expected, settings.passThrough(ConfigKeys.KAFKA_PRODUCER).get("sasl.jaas.config"));
        assertEquals(expected, settings.passThrough(ConfigKeys.KAFKA_CONSUMER).get("sasl.jaas.config"));
        assertEquals("SCRAM-SHA-256", settings.passThrough(ConfigKeys.KAFKA_CONSUMER).get("sasl.mechanism"));
    }

    @Test
    void shouldKeepEachBudgetToItsOwnRole() throws Exception {
        Rendered rendered = tools.render(STRIMZI);
        for (String role : ROLES) {
            JsonNode budget = rendered.named("PodDisruptionBudget", "tw-transitwatch-" + role).path("spec");
            assertEquals(1, budget.path("maxUnavailable").asInt());
            JsonNode selector = budget.path("selector").path("matchLabels");
            for (String other : ROLES) {
                JsonNode labels = podOf(rendered, other).path("metadata").path("labels");
                boolean selects = true;
                for (var it = selector.fields(); it.hasNext(); ) {
                    var label = it.next();
                    selects &= label.getValue().equals(labels.path(label.getKey()));
                }
                assertEquals(role.equals(other), selects, "the " + role + " budget and the " + other + " pods");
            }
        }
    }

    // ---- Strimzi topics ----

    @Test
    void shouldRenderStrimziTopicsWithACompactedObserversTopicAndEnoughEventRetention(@TempDir Path root) throws Exception {
        Rendered rendered = tools.render(STRIMZI);
        Settings correlator = load(rendered, "correlator", root);
        Map<String, JsonNode> byTopic = new HashMap<>();
        for (JsonNode topic : rendered.all("KafkaTopic")) {
            assertEquals("prod", topic.path("metadata").path("labels").path("strimzi.io/cluster").asText());
            assertEquals("kafka", topic.path("metadata").path("namespace").asText(), "where the topic operator watches");
            assertEquals(3, topic.path("spec").path("replicas").asInt());
            assertEquals(2, topic.path("spec").path("config").path("min.insync.replicas").asInt());
            byTopic.put(topic.path("spec").path("topicName").asText(), topic.path("spec"));
        }
        assertEquals(Set.of(correlator.get(ConfigKeys.SCALE_TOPIC_EVENTS), correlator.get(ConfigKeys.SCALE_TOPIC_OBSERVERS),
                correlator.get(ConfigKeys.SCALE_TOPIC_PAIR_COUNTS), correlator.get(ConfigKeys.KAFKA_TOPIC_ALERTS),
                correlator.get(ConfigKeys.KAFKA_TOPIC_INCIDENTS)), byTopic.keySet(), "the topics the daemon is configured with");

        JsonNode observers = byTopic.get(correlator.get(ConfigKeys.SCALE_TOPIC_OBSERVERS));
        assertEquals("compact", observers.path("config").path("cleanup.policy").asText());
        assertTrue(observers.path("config").path("retention.ms").isMissingNode(), "a compacted topic keeps each node's last status");

        JsonNode events = byTopic.get(correlator.get(ConfigKeys.SCALE_TOPIC_EVENTS));
        assertEquals("delete", events.path("config").path("cleanup.policy").asText());
        assertEquals(12, events.path("partitions").asInt());
        assertTrue(events.path("partitions").asInt() >= 3, "at least one partition per correlator");
        assertEquals("zstd", events.path("config").path("compression.type").asText(), "scaled.topics.strimzi.events.config");
        Duration replay = correlator.duration(ConfigKeys.JOIN_WINDOW).plus(correlator.duration(ConfigKeys.JOIN_MAX_BEHIND))
                .plus(correlator.duration(ConfigKeys.JOIN_DOWN_GRACE));
        long retention = events.path("config").path("retention.ms").asLong();
        assertTrue(retention >= replay.toMillis(), "retention.ms " + retention + " >= W + grace + skew " + replay);
        assertTrue(events.path("config").path("segment.ms").asLong() <= retention, "segments roll, so retention applies");
    }

    // ---- alert rules ----

    /**
     * In {@code mode: scaled} the PrometheusRule carries files/prometheus-rules-scaled.yaml (the rules
     * docs/scaling.md shows), not the single process's, whose metrics no role exports. Every expression
     * parses with Prometheus's grammar, and names only metrics of the three roles: CollectKafkaIT,
     * CorrelatorIT and IncidentStageIT check that the role exports each one.
     */
    @Test
    void shouldCarryTheScaledAlertRulesOfScalingMdOnTheRolesMetrics() throws Exception {
        Rendered rendered = tools.renderWith(MINIMAL, "--set", "prometheusRule.enabled=true");
        JsonNode groups = rendered.one("PrometheusRule").path("spec").path("groups");
        JsonNode file = Rendered.YAML.readTree(Files.readString(tools.chart.resolve("files/prometheus-rules-scaled.yaml")));
        assertEquals(file.path("groups"), groups, "files/prometheus-rules-scaled.yaml, unchanged");
        assertEquals(Rendered.YAML.readTree(tools.yamlBlockOf("docs/scaling.md", "- **Alert rules.**")).path("groups"), groups,
                "docs/scaling.md and files/prometheus-rules-scaled.yaml must say the same");
        assertEquals(List.of("TransitWatchScaledDecisionsStalled", "TransitWatchScaledCollectorGone",
                "TransitWatchScaledCollectorSendFailures", "TransitWatchScaledMalformedRecords"),
                groups.findValuesAsText("alert"));

        List<JsonNode> checked = tools.promql(rendered.text);
        List<String> problems = new ArrayList<>();
        for (JsonNode expression : checked) {
            String where = expression.path("where").asText();
            if (!expression.path("errors").isEmpty()) {
                problems.add(where + ": " + expression.path("errors"));
            }
            assertFalse(expression.path("metrics").isEmpty(), where + " selects no metric");
            for (JsonNode metric : expression.path("metrics")) {
                if (!metric.asText().matches("transitwatch_(collector|correlator|incident_stage)_.+")) {
                    problems.add(where + ": " + metric.asText() + " is no metric of a scaled role");
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(4, checked.size(), checked.toString());
    }

    // ---- what the chart refuses ----

    @Test
    void shouldRejectModeScaledWithoutBootstrapServersInTheSchema() throws Exception {
        Result result = tools.template(HelmChartIT.DEFAULT, "--set", "mode=scaled");
        assertNotEquals(0, result.exit(), result.all());
        assertTrue(result.err().contains("schema") && result.err().contains("bootstrapServers"), result.err());
        Result unknown = tools.template(HelmChartIT.DEFAULT, "--set", "mode=sharded");
        assertNotEquals(0, unknown.exit(), unknown.all());
        assertTrue(unknown.err().contains("schema") && unknown.err().contains("mode"), unknown.err());
    }

    @Test
    void shouldFailRenderingOnContradictoryScaledValues() throws Exception {
        assertFails("scaled.correlator.replicas is 13, but the events topic has 12 partitions",
                "--set", "scaled.correlator.replicas=13");
        assertFails("below the 1240000 ms a correlator replays", "--set", "config.join.window=20m");
        assertFails("config.scale.member-id would be the same in every pod", "--set", "config.scale.member-id=x");
        assertFails("config.scale.shard-index would be the same in every pod", "--set", "config.scale.shard-index=0");
        assertFails("config.scale.shards is set by a typed value", "--set", "config.scale.shards=4");
        assertFails("config.scale.topic.events is set by a typed value", "--set", "config.scale.topic.events=x");
        assertFails("kafka.consumer.sasl.jaas.config holds a credential", "--set-string", "kafka.consumer.sasl\\.jaas\\.config=x");
        assertFails("config.kafka.consumer.fetch.min.bytes: Kafka consumer properties go in kafka.consumer",
                "--set", "config.kafka.consumer.fetch\\.min\\.bytes=1");
        assertFails("minInsyncReplicas (4) is above scaled.topics.strimzi.replicas (3)",
                "--set", "scaled.topics.strimzi.minInsyncReplicas=4");
    }

    private static void assertFails(String message, String... args) throws Exception {
        Result result = tools.template(STRIMZI, args);
        assertNotEquals(0, result.exit(), "helm template " + List.of(args) + " should fail:\n" + result.all());
        assertTrue(result.err().contains(message), "expected \"" + message + "\" in:\n" + result.err());
    }

    @Test
    void shouldPrintTheRolesAndWarnAboutRelayInTheNotes() throws Exception {
        String notes = tools.helm("install", "tw", tools.chart.toString(), "--namespace", "kube-system",
                "--dry-run=client", "--values", tools.chart.resolve("ci").resolve(MINIMAL).toString())
                .ok("helm install --dry-run=client");
        assertTrue(notes.contains("StatefulSet kube-system/tw-transitwatch-collector, 2 replica(s) = scale.shards"), notes);
        assertTrue(notes.contains("kubectl -n kube-system logs -f deployment/tw-transitwatch-incidents"), notes);
        assertTrue(notes.contains("WARNING: mode scaled with hubble.mode relay"), notes);
        assertTrue(notes.contains("NOTE:    the topics are not created by this chart"), notes);
    }

    // ---- lookups ----

    private static JsonNode podOf(Rendered rendered, String role) {
        String kind = role.equals("incidents") ? "Deployment" : "StatefulSet";
        return rendered.named(kind, "tw-transitwatch-" + role).path("spec").path("template");
    }

    private static JsonNode container(JsonNode pod) {
        JsonNode containers = pod.path("spec").path("containers");
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private static List<String> args(JsonNode pod) {
        List<String> out = new ArrayList<>();
        container(pod).path("args").forEach(a -> out.add(a.asText()));
        return out;
    }

    private static String env(JsonNode container, String name) {
        return Rendered.find(container.path("env"), e -> name.equals(e.path("name").asText()))
                .orElseThrow(() -> new AssertionError("no env " + name)).path("value").asText();
    }

    private static Set<String> volumeNames(JsonNode pod) {
        Set<String> names = new HashSet<>();
        pod.path("spec").path("volumes").forEach(v -> names.add(v.path("name").asText()));
        return names;
    }

    private static String checksum(Rendered rendered, String role) {
        return podOf(rendered, role).path("metadata").path("annotations").path("checksum/config").asText();
    }

    /** The config.yaml of the ConfigMap the role's pod mounts. */
    private static String configOf(Rendered rendered, String role) {
        JsonNode pod = podOf(rendered, role);
        JsonNode volume = Rendered.find(pod.path("spec").path("volumes"), v -> v.path("name").asText().equals("config"))
                .orElseThrow();
        return rendered.named("ConfigMap", volume.path("configMap").path("name").asText())
                .path("data").path("config.yaml").asText();
    }

    private static Settings load(Rendered rendered, String role, Path root) throws IOException {
        JsonNode pod = podOf(rendered, role);
        SimulatedPod simulated = SimulatedPod.of(container(pod), name -> Rendered.find(pod.path("spec").path("volumes"),
                v -> name.equals(v.path("name").asText())).orElseThrow(() -> new AssertionError("no volume " + name)),
                configOf(rendered, role), root);
        try {
            return ConfigLoader.load(simulated.configFile, simulated.environment, List.of());
        } catch (InvalidConfigException e) {
            throw new AssertionError("the daemon rejects the " + role + "'s rendered configuration:\n"
                    + e.errors().stream().map(ConfigError::toString).collect(Collectors.joining("\n"))
                    + "\n--- config.yaml ---\n" + Files.readString(simulated.configFile), e);
        }
    }
}
