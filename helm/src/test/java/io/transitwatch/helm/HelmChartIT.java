package io.transitwatch.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart in helm/transitwatch, rendered by the real helm for the default values and for every
 * scenario in ci/: lint, Kubernetes schema validation of every document (helm/validate), the values
 * schema and validate.yaml, the security properties of the pod, and the rendered ConfigMap loaded by
 * the daemon's own ConfigLoader as `transitwatch run` would load it in the pod.
 *
 * <p>Needs helm, node and npm; without them every test fails, naming .ci/install-helm. Nothing here is
 * skipped.
 */
class HelmChartIT {
    static final String DEFAULT = "default values";

    private static ChartTools tools;

    @BeforeAll
    static void locateTools() throws Exception {
        tools = ChartTools.locate();
    }

    static Stream<String> scenarios() throws IOException {
        Path ci = Path.of(System.getProperty("transitwatch.helm.dir", "")).resolve("transitwatch/ci");
        try (Stream<Path> files = Files.list(ci)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .sorted().collect(Collectors.toCollection(ArrayList::new));
            assertTrue(names.containsAll(List.of("relay-values.yaml", "direct-mtls-values.yaml",
                    "kafka-slack-values.yaml")), "ci/ scenarios: " + names);
            names.add(0, DEFAULT);
            return names.stream();
        }
    }

    // ---- helm lint, helm template, Kubernetes schemas ----

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
        Result result = tools.node(rendered.text, "validate.mjs");
        String out = result.ok("validate.mjs on the render with " + scenario);
        assertFalse(out.contains("FAIL"), out);
        long okLines = out.lines().filter(l -> l.startsWith("ok")).count();
        assertEquals(rendered.documents.size(), okLines, "every rendered document validated:\n" + out);
        for (String crd : List.of("ServiceMonitor", "CiliumNetworkPolicy")) {
            if (rendered.find(crd).isPresent()) {
                assertTrue(out.lines().anyMatch(l -> l.startsWith("ok*") && l.contains(crd)),
                        crd + " checked against our own CRD subset schema:\n" + out);
            }
        }
    }

    @Test
    void shouldRenderTheExpectedKindsForEachScenario() throws Exception {
        Set<String> rbac = Set.of("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
        assertEquals(union(rbac, "ServiceAccount", "ConfigMap", "Service", "Deployment", "Pod"), kinds(tools.render(DEFAULT)));
        assertEquals(union(rbac, "ServiceAccount", "ConfigMap", "Service", "Deployment", "Pod", "ServiceMonitor",
                "NetworkPolicy", "PrometheusRule"), kinds(tools.render("relay-values.yaml")));
        assertEquals(union(rbac, "ServiceAccount", "ConfigMap", "Service", "Deployment", "Pod", "CiliumNetworkPolicy"),
                kinds(tools.render("direct-mtls-values.yaml")));
        assertEquals(Set.of("ServiceAccount", "ConfigMap", "Service", "Deployment", "Pod", "ServiceMonitor",
                "NetworkPolicy", "CiliumNetworkPolicy"), kinds(tools.render("kafka-slack-values.yaml")),
                "kubernetes.enabled=false there: no RBAC");
    }

    private static Set<String> union(Set<String> some, String... more) {
        Set<String> all = new HashSet<>(some);
        all.addAll(List.of(more));
        return all;
    }

    private static Set<String> kinds(Rendered rendered) {
        return rendered.documents.stream().map(d -> d.path("kind").asText()).collect(Collectors.toSet());
    }

    // ---- values.schema.json and validate.yaml reject bad values, naming them ----

    @Test
    void shouldRejectTwoReplicasInTheSchema() throws Exception {
        assertRejected("replicaCount", "--set", "replicaCount=2");
    }

    @Test
    void shouldRejectANonIntegerReplicaCountInTheSchema() throws Exception {
        assertRejected("replicaCount", "--set-string", "replicaCount=two");
    }

    @Test
    void shouldRejectAnUnknownTopLevelKeyInTheSchema() throws Exception {
        assertRejected("replicas", "--set", "replicas=1");
    }

    @Test
    void shouldRejectAnUnknownSinkInTheSchema() throws Exception {
        assertRejected("sinks", "--set", "sinks={stdout,pagerduty}");
    }

    @Test
    void shouldRejectAnUnknownHubbleModeAndAMistypedNestedKeyInTheSchema() throws Exception {
        assertRejected("hubble/mode", "--set", "hubble.mode=both");
        assertRejected("existingSecrt", "--set", "slack.existingSecrt=x");
        assertRejected("joinn", "--set", "config.joinn.window=5s");
    }

    private static void assertRejected(String field, String... args) throws Exception {
        Result result = tools.template(DEFAULT, args);
        assertNotEquals(0, result.exit(), "helm template " + List.of(args) + " should fail:\n" + result.all());
        assertTrue(result.err().contains("schema"), "a schema error:\n" + result.err());
        assertTrue(result.err().contains(field), "the error names " + field + ":\n" + result.err());
    }

    @Test
    void shouldFailRenderingOnContradictoryValues() throws Exception {
        assertFails("sinks includes slack, but there is no webhook: set slack.existingSecret",
                "--set", "sinks={stdout,slack}");
        assertFails("slack.existingSecret and slack.webhookUrl are both set",
                "--set", "sinks={slack},slack.existingSecret=s,slack.webhookUrl=https://hooks.slack.com/x");
        assertFails("sinks includes kafka, but kafka.bootstrapServers is empty", "--set", "sinks={kafka}");
        assertFails("kafka.securityProtocol is SASL_SSL, but kafka.sasl.existingSecret is empty",
                "--set", "sinks={kafka},kafka.bootstrapServers={k:9093},kafka.securityProtocol=SASL_SSL");
        assertFails("kafka.producer.sasl.jaas.config holds a credential",
                "--set", "sinks={kafka},kafka.bootstrapServers={k:9093}", "--set-string",
                "kafka.producer.sasl\\.jaas\\.config=x");
        assertFails("kafka.producer.security.protocol is set by the chart",
                "--set", "sinks={kafka},kafka.bootstrapServers={k:9093}", "--set-string",
                "kafka.producer.security\\.protocol=SSL");
        assertFails("hubble.nodes is set, but hubble.mode is relay", "--set", "hubble.nodes={a=10.0.0.1:4244}");
        assertFails("hubble.tls.existingSecret is empty", "--set", "hubble.tls.enabled=true,hubble.tls.existingSecret=");
        assertFails("config.hubble.mode is set by a typed value", "--set", "config.hubble.mode=direct");
        assertFails("config.sinks is set by a typed value", "--set", "config.sinks={kafka}");
        assertFails("config.kafka.producer.acks: Kafka producer properties go in kafka.producer",
                "--set", "config.kafka.producer.acks=all");
    }

    private static void assertFails(String message, String... args) throws Exception {
        Result result = tools.template(DEFAULT, args);
        assertNotEquals(0, result.exit(), "helm template " + List.of(args) + " should fail:\n" + result.all());
        assertTrue(result.err().contains(message), "expected \"" + message + "\" in:\n" + result.err());
    }

    // ---- the pod: security, probes, JVM ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldRunHardenedAsUser65532WithAReadOnlyRoot(String scenario) throws Exception {
        Rendered rendered = tools.render(scenario);
        JsonNode pod = rendered.pod().path("spec");
        JsonNode podContext = pod.path("securityContext");
        assertTrue(podContext.path("runAsNonRoot").asBoolean());
        assertEquals(65532, podContext.path("runAsUser").asInt());
        assertEquals(65532, podContext.path("fsGroup").asInt(), "fsGroup makes the 0400 Secret files readable");
        assertEquals("RuntimeDefault", podContext.path("seccompProfile").path("type").asText());

        JsonNode container = rendered.container();
        JsonNode context = container.path("securityContext");
        assertTrue(context.path("runAsNonRoot").asBoolean());
        assertEquals(65532, context.path("runAsUser").asInt());
        assertTrue(context.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(context.path("allowPrivilegeEscalation").asBoolean(true));
        assertFalse(context.path("privileged").asBoolean(true));
        assertEquals("[\"ALL\"]", context.path("capabilities").path("drop").toString());
        assertTrue(context.path("capabilities").path("add").isMissingNode());
        assertEquals("RuntimeDefault", context.path("seccompProfile").path("type").asText());

        assertFalse(pod.path("enableServiceLinks").asBoolean(true));
        boolean kubernetes = rendered.env("TRANSITWATCH_KUBERNETES_ENABLED").orElseThrow().path("value").asBoolean();
        assertEquals(kubernetes, pod.path("automountServiceAccountToken").asBoolean(),
                "the ServiceAccount token is mounted exactly when the daemon reads the Kubernetes API");
        assertEquals("FallbackToLogsOnError", container.path("terminationMessagePolicy").asText());
        assertEquals("/tmp", rendered.mount("tmp").orElseThrow().path("mountPath").asText());
        assertTrue(rendered.volume("tmp").has("emptyDir"));
        assertEquals(1, rendered.deployment().path("spec").path("replicas").asInt());
        assertEquals("Recreate", rendered.deployment().path("spec").path("strategy").path("type").asText(),
                "never two pods at once: both would alert");
    }

    @Test
    void shouldProbeHealthzLenientlyAndReadyz() throws Exception {
        JsonNode container = tools.render(DEFAULT).container();
        JsonNode liveness = container.path("livenessProbe");
        assertEquals("/healthz", liveness.path("httpGet").path("path").asText());
        assertTrue(liveness.path("periodSeconds").asInt() * liveness.path("failureThreshold").asInt() >= 120,
                "liveness tolerates minutes of failures: " + liveness);
        assertEquals("/healthz", container.path("startupProbe").path("httpGet").path("path").asText());
        assertEquals("/readyz", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals(8080, container.path("ports").get(0).path("containerPort").asInt());
        assertTrue(container.path("resources").path("limits").has("memory"));
        assertFalse(container.path("resources").path("limits").has("cpu"), "no CPU limit: throttling delays the join");

        String javaOptions = Rendered.find(container.path("env"), e -> e.path("name").asText().equals("JAVA_TOOL_OPTIONS"))
                .orElseThrow().path("value").asText();
        assertTrue(javaOptions.contains("-XX:MaxRAMPercentage=75"), javaOptions);
        assertTrue(javaOptions.contains("-XX:+ExitOnOutOfMemoryError"), javaOptions);
        assertEquals(List.of("run", "--config", "/etc/transitwatch/config.yaml"),
                Rendered.YAML.convertValue(container.path("args"), List.class));

        JsonNode service = tools.render(DEFAULT).one("Service").path("spec");
        assertTrue(service.path("publishNotReadyAddresses").asBoolean(), "metrics are scraped while /readyz fails");
    }

    // ---- the ConfigMap: checksum, content, and the daemon's verdict ----

    @Test
    void shouldRollThePodWhenTheConfigurationChangesAndOnlyThen() throws Exception {
        String base = tools.render(DEFAULT).annotation("checksum/config");
        assertNotNull(base, "checksum/config annotation on the pod template");
        assertTrue(base.matches("[0-9a-f]{64}"), base);
        assertEquals(base, tools.renderWith(DEFAULT).annotation("checksum/config"), "the same values, the same checksum");
        assertEquals(base, tools.renderWith(DEFAULT, "--set", "resources.requests.cpu=1").annotation("checksum/config"),
                "a value outside the configuration leaves the checksum alone");

        Set<String> seen = new HashSet<>(Set.of(base));
        for (String change : List.of("config.join.window=10s", "hubble.mode=direct", "stdout.format=text",
                "http.port=9090", "hubble.relay.address=relay.example:4245")) {
            String checksum = tools.renderWith(DEFAULT, "--set", change).annotation("checksum/config");
            assertTrue(seen.add(checksum), change + " must change checksum/config");
        }
    }

    @Test
    void shouldRenderAConfigFileWithTheDaemonsKeys() throws Exception {
        Map<String, JsonNode> keys = tools.render(DEFAULT).configKeys();
        assertEquals("relay", keys.get("hubble.mode").asText());
        assertEquals("hubble-relay.kube-system.svc.cluster.local:80", keys.get("hubble.relay.address").asText());
        assertEquals("[\"stdout\"]", keys.get("sinks").toString());
        assertEquals(8080, keys.get("http.port").asInt());
        assertFalse(keys.get("hubble.tls.enabled").asBoolean(true));

        Map<String, JsonNode> relay = tools.render("relay-values.yaml").configKeys();
        assertEquals("5s", relay.get("join.window").asText(), "config.* passes through");
        assertEquals(20000, relay.get("sinks.queue-capacity").asInt());
        assertEquals(2, relay.get("topology.pod-cidrs").size());

        Map<String, JsonNode> kafka = tools.render("kafka-slack-values.yaml").configKeys();
        assertEquals("SASL_SSL", kafka.get("kafka.producer.security.protocol").asText());
        assertEquals("/var/run/secrets/transitwatch/slack/url", kafka.get("slack.webhook-url-file").asText());
        assertEquals("/var/lib/transitwatch/kafka/ca.crt", kafka.get("kafka.producer.ssl.truststore.location").asText());
    }

    /**
     * The daemon's ConfigLoader, given the rendered config.yaml and the container's environment, in a
     * simulated pod file system (see SimulatedPod): exactly what `transitwatch run --config` checks at start.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldRenderAConfigurationTheDaemonAccepts(String scenario, @TempDir Path root) throws Exception {
        Settings settings = loadInSimulatedPod(tools.render(scenario), root);
        Set<String> producerNames = ProducerConfig.configNames();
        for (String property : settings.passThrough(ConfigKeys.KAFKA_PRODUCER).keySet()) {
            assertTrue(producerNames.contains(property), "kafka.producer." + property + " is not a Kafka producer property");
        }
    }

    @Test
    void shouldWireDirectModeWithTheClientCertificates(@TempDir Path root) throws Exception {
        Settings settings = loadInSimulatedPod(tools.render("direct-mtls-values.yaml"), root);
        assertEquals(HubbleMode.DIRECT, settings.get(ConfigKeys.HUBBLE_MODE));
        assertTrue(settings.bool(ConfigKeys.HUBBLE_TLS_ENABLED));
        assertEquals("hubble-peer.solcluster.hubble-grpc.cilium.io", settings.get(ConfigKeys.HUBBLE_TLS_SERVER_NAME));
        assertEquals(root.resolve("var/lib/transitwatch/tls/tls.key"), settings.get(ConfigKeys.HUBBLE_TLS_KEY_FILE));
        assertEquals(Duration.ofMinutes(1), settings.duration(ConfigKeys.HUBBLE_BACKOFF_MAX), "config.* reaches the daemon");
    }

    @Test
    void shouldWireKafkaSaslAndSlackFromSecrets(@TempDir Path root) throws Exception {
        Settings settings = loadInSimulatedPod(tools.render("kafka-slack-values.yaml"), root);
        assertEquals(List.of(SinkKind.STDOUT, SinkKind.KAFKA, SinkKind.SLACK), settings.get(ConfigKeys.SINKS));
        Map<String, String> producer = settings.passThrough(ConfigKeys.KAFKA_PRODUCER);
        assertTrue(producer.get("sasl.jaas.config").contains("from-transitwatch-kafka-user"),
                "the JAAS line comes from the Secret, through the environment: " + producer.keySet());
        assertEquals("SCRAM-SHA-512", producer.get("sasl.mechanism"));
        assertEquals("zstd", producer.get("compression.type"));
        assertEquals(root.resolve("var/run/secrets/transitwatch/slack/url"), settings.get(ConfigKeys.SLACK_WEBHOOK_URL_FILE));
    }

    @Test
    void shouldComposeTheJaasLineFromAUserNameAndAPassword(@TempDir Path root) throws Exception {
        Rendered rendered = tools.renderWith("kafka-slack-values.yaml", "--set", "kafka.sasl.jaasConfigKey=");
        Settings settings = loadInSimulatedPod(rendered, root);
        String jaas = settings.passThrough(ConfigKeys.KAFKA_PRODUCER).get("sasl.jaas.config");
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"placeholder-transitwatch-kafka-user-username\" "
                + "password=\"placeholder-transitwatch-kafka-user-password\";", jaas);
        assertTrue(rendered.env("KAFKA_SASL_PASSWORD").orElseThrow().path("valueFrom").has("secretKeyRef"));
    }

    @Test
    void shouldBeRejectedByTheDaemonWhenAConfiguredFileIsNotMounted(@TempDir Path root) throws Exception {
        // A path outside every mount: the simulation leaves it alone, and the daemon must refuse it.
        SimulatedPod pod = SimulatedPod.of(tools.render("kafka-slack-values.yaml"), root);
        String config = Files.readString(pod.configFile)
                .replace(root + "/var/run/secrets/transitwatch/slack/url", "/var/run/secrets/elsewhere/url");
        Files.writeString(pod.configFile, config);
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(pod.configFile, pod.environment, List.of()));
        assertTrue(e.errors().stream().anyMatch(err -> err.key().equals("slack.webhook-url-file")), e.errors().toString());
    }

    /**
     * The same check through the command an operator runs before deploying, in a separate JVM with the
     * pod's environment: {@code transitwatch config validate FILE} must print ok.
     */
    @Test
    void shouldPassTransitwatchConfigValidate(@TempDir Path root) throws Exception {
        SimulatedPod pod = SimulatedPod.of(tools.render("kafka-slack-values.yaml"), root);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Result result = ChartTools.run(root, pod.environment, null, List.of(java.toString(), "-cp",
                System.getProperty("java.class.path"), "io.transitwatch.daemon.TransitWatch", "config", "validate",
                pod.configFile.toString()));
        assertEquals(0, result.exit(), result.all());
        assertEquals("ok", result.out().strip());
    }

    private static Settings loadInSimulatedPod(Rendered rendered, Path root) throws IOException {
        SimulatedPod pod = SimulatedPod.of(rendered, root);
        try {
            return ConfigLoader.load(pod.configFile, pod.environment, List.of());
        } catch (InvalidConfigException e) {
            throw new AssertionError("the daemon rejects the rendered configuration:\n"
                    + e.errors().stream().map(ConfigError::toString).collect(Collectors.joining("\n"))
                    + "\n--- config.yaml ---\n" + Files.readString(pod.configFile), e);
        }
    }

    // ---- secrets: mounted or referenced, never inlined ----

    @Test
    void shouldMountTheHubbleClientCertificateReadOnlyWithMode0400() throws Exception {
        Rendered rendered = tools.render("direct-mtls-values.yaml");
        JsonNode secret = rendered.volume("hubble-tls").path("secret");
        assertEquals("hubble-relay-client-certs", secret.path("secretName").asText());
        assertEquals(List.of("ca.crt", "tls.crt", "tls.key"), texts(secret.path("items"), "path"));
        assertTrue(rendered.text.contains("defaultMode: 0400"), "Secret files are 0400, as in Cilium's relay");
        JsonNode mount = rendered.mount("hubble-tls").orElseThrow();
        assertEquals("/var/lib/transitwatch/tls", mount.path("mountPath").asText());
        assertTrue(mount.path("readOnly").asBoolean());
        assertTrue(tools.render(DEFAULT).mount("hubble-tls").isEmpty(), "no certificate mount without hubble.tls.enabled");
    }

    @Test
    void shouldKeepKafkaAndSlackCredentialsOutOfTheConfigMapAndTheEnvironment() throws Exception {
        Rendered rendered = tools.render("kafka-slack-values.yaml");
        assertTrue(rendered.all("Secret").isEmpty(), "existing Secrets are used, none is created");
        String config = rendered.configYaml();
        for (String secretish : List.of("jaas", "password", "hooks.slack.com", "LoginModule")) {
            assertFalse(config.contains(secretish), "config.yaml contains " + secretish);
        }
        for (JsonNode variable : rendered.container().path("env")) {
            String value = variable.path("value").asText("");
            assertFalse(value.contains("hooks.slack.com") || value.contains("password=\"") && !value.contains("$("),
                    "a literal credential in env " + variable);
        }
        JsonNode jaas = rendered.env("TRANSITWATCH_KAFKA_PRODUCER_SASL_JAAS_CONFIG").orElseThrow();
        assertEquals("transitwatch-kafka-user", jaas.path("valueFrom").path("secretKeyRef").path("name").asText());
        assertEquals("sasl.jaas.config", jaas.path("valueFrom").path("secretKeyRef").path("key").asText());

        JsonNode slack = rendered.volume("slack-webhook").path("secret");
        assertEquals("transitwatch-slack", slack.path("secretName").asText());
        assertEquals("url", slack.path("items").get(0).path("path").asText());
        assertTrue(rendered.mount("slack-webhook").orElseThrow().path("readOnly").asBoolean());
        assertTrue(rendered.env("SLACK_WEBHOOK_URL").isEmpty(), "the webhook URL is a file, not a variable");
    }

    @Test
    void shouldPutAnInlineWebhookUrlOnlyInASecretAndRollOnItsChange() throws Exception {
        String url = "https://hooks.slack.com/services/T000/B000/XXXX";
        Rendered rendered = tools.renderWith(DEFAULT, "--set", "sinks={stdout,slack},slack.webhookUrl=" + url);
        JsonNode secret = rendered.one("Secret");
        assertEquals(url, new String(Base64.getDecoder().decode(secret.path("data").path("url").asText())));
        assertFalse(rendered.text.contains(url), "the URL appears nowhere in clear");
        assertEquals(secret.path("metadata").path("name").asText(),
                rendered.volume("slack-webhook").path("secret").path("secretName").asText());
        String checksum = rendered.annotation("checksum/secret");
        assertNotNull(checksum);
        assertNotEquals(checksum, tools.renderWith(DEFAULT, "--set", "sinks={stdout,slack},slack.webhookUrl=" + url + "Y")
                .annotation("checksum/secret"));
    }

    // ---- policies, ServiceMonitor, helm test ----

    @Test
    void shouldAllowOnlyDnsHubbleKafkaAndSlackInTheCiliumNetworkPolicy() throws Exception {
        JsonNode spec = tools.render("kafka-slack-values.yaml").one("CiliumNetworkPolicy").path("spec");
        JsonNode egress = spec.path("egress");
        assertEquals(4, egress.size(), "DNS, Relay, Kafka, Slack (kubernetes.enabled=false there): " + egress);
        JsonNode dns = egress.get(0);
        assertEquals("kube-dns", dns.path("toEndpoints").get(0).path("matchLabels").path("k8s-app").asText());
        assertEquals("*", dns.path("toPorts").get(0).path("rules").path("dns").get(0).path("matchPattern").asText(),
                "DNS goes through Cilium's proxy, which toFQDNs needs");
        assertEquals("4245", egress.get(1).path("toPorts").get(0).path("ports").get(0).path("port").asText());
        assertEquals("9093", egress.get(2).path("toPorts").get(0).path("ports").get(0).path("port").asText());
        assertEquals("kafka", egress.get(2).path("toEndpoints").get(0).path("matchLabels")
                .path("io.kubernetes.pod.namespace").asText());
        JsonNode slack = egress.get(3);
        assertEquals("hooks.slack.com", slack.path("toFQDNs").get(0).path("matchName").asText());
        assertEquals("443", slack.path("toPorts").get(0).path("ports").get(0).path("port").asText());
        assertEquals("8080", spec.path("ingress").get(0).path("toPorts").get(0).path("ports").get(0).path("port").asText());

        JsonNode direct = tools.render("direct-mtls-values.yaml").one("CiliumNetworkPolicy").path("spec").path("egress");
        assertEquals(3, direct.size(), "DNS, the Hubble servers and the API server: " + direct);
        assertEquals("[\"host\",\"remote-node\"]", direct.get(1).path("toEntities").toString());
        assertEquals("4244", direct.get(1).path("toPorts").get(0).path("ports").get(0).path("port").asText());
        assertEquals("[\"kube-apiserver\"]", direct.get(2).path("toEntities").toString());
    }

    @Test
    void shouldAllowOnlyDnsHubbleKafkaAndSlackInTheNetworkPolicy() throws Exception {
        JsonNode spec = tools.render("kafka-slack-values.yaml").one("NetworkPolicy").path("spec");
        assertEquals("[\"Ingress\",\"Egress\"]", spec.path("policyTypes").toString());
        assertEquals(4, spec.path("egress").size(), "DNS, Relay, Kafka, Slack (kubernetes.enabled=false there): "
                + spec.path("egress"));
        assertEquals(List.of("53", "53"), texts(spec.path("egress").get(0).path("ports"), "port"));
        assertEquals(List.of("4245"), texts(spec.path("egress").get(1).path("ports"), "port"));
        assertEquals(List.of("9093"), texts(spec.path("egress").get(2).path("ports"), "port"));
        assertEquals(List.of("443"), texts(spec.path("egress").get(3).path("ports"), "port"));
        assertEquals("http", spec.path("ingress").get(0).path("ports").get(0).path("port").asText());

        JsonNode relay = tools.render("relay-values.yaml").one("NetworkPolicy").path("spec");
        JsonNode apiServer = relay.path("egress").get(relay.path("egress").size() - 1);
        assertEquals(List.of("443", "6443"), texts(apiServer.path("ports"), "port"), "the API server: " + apiServer);
        JsonNode from = relay.path("ingress").get(0).path("from");
        assertEquals(2, from.size(), "the monitoring namespace and the helm test pod: " + from);
        assertEquals("transitwatch-test", from.get(1).path("podSelector").path("matchLabels")
                .path("app.kubernetes.io/name").asText());
    }

    @Test
    void shouldScrapeMetricsThroughTheServiceMonitor() throws Exception {
        Rendered rendered = tools.render("relay-values.yaml");
        JsonNode endpoint = rendered.one("ServiceMonitor").path("spec").path("endpoints").get(0);
        assertEquals("http", endpoint.path("port").asText());
        assertEquals("/metrics", endpoint.path("path").asText());
        assertEquals("kube-prometheus-stack", rendered.one("ServiceMonitor").path("metadata").path("labels")
                .path("release").asText());
        assertEquals("http", rendered.one("Service").path("spec").path("ports").get(0).path("name").asText());
    }

    @Test
    void shouldCurlReadyzFromAHelmTestHookPodTheDeploymentDoesNotSelect() throws Exception {
        Rendered rendered = tools.render(DEFAULT);
        JsonNode pod = rendered.named("Pod", "tw-transitwatch-test-readyz");
        assertEquals("test", pod.path("metadata").path("annotations").path("helm.sh/hook").asText());
        List<String> command = texts(pod.path("spec").path("containers").get(0).path("command"), null);
        assertEquals("curl", command.get(0));
        assertEquals("http://tw-transitwatch.kube-system.svc:8080/readyz", command.get(command.size() - 1));
        JsonNode selector = rendered.deployment().path("spec").path("selector").path("matchLabels");
        JsonNode labels = pod.path("metadata").path("labels");
        boolean selected = true;
        for (var it = selector.fields(); it.hasNext(); ) {
            var label = it.next();
            selected &= label.getValue().equals(labels.path(label.getKey()));
        }
        assertFalse(selected, "the Deployment's ReplicaSet would adopt the test pod");
        assertTrue(tools.renderWith(DEFAULT, "--set", "testFramework.enabled=false").all("Pod").isEmpty());
    }

    @Test
    void shouldPrintWhatWasInstalledAndWarnInTheNotes() throws Exception {
        Result result = tools.helm("install", "tw", tools.chart.toString(), "--namespace", "default",
                "--dry-run=client", "--set", "hubble.mode=direct");
        String notes = result.ok("helm install --dry-run=client");
        assertTrue(notes.contains("kubectl -n default logs -f deployment/tw-transitwatch"), notes);
        assertTrue(notes.contains("port-forward service/tw-transitwatch 8080:8080"), notes);
        assertTrue(notes.contains("WARNING: direct mode without hubble.tls.enabled"), notes);
    }

    // ---- the chart and the daemon's key table agree; the README is generated ----

    @Test
    void shouldOnlyManageKeysTheDaemonDeclares() throws IOException {
        String helpers = Files.readString(tools.chart.resolve("templates/_helpers.tpl"));
        int start = helpers.indexOf("define \"transitwatch.managedKeys\" -}}");
        int end = helpers.indexOf("{{- end }}", start);
        assertTrue(start > 0 && end > start, "transitwatch.managedKeys in _helpers.tpl");
        List<String> managed = helpers.substring(helpers.indexOf('\n', start) + 1, end).lines()
                .map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertTrue(managed.size() > 20, managed.toString());
        for (String key : managed) {
            assertTrue(ConfigKeys.byName(key).isPresent() || key.startsWith(ConfigKeys.KAFKA_PRODUCER.name()),
                    key + " is not a key of ConfigKeys");
        }
    }

    @Test
    void shouldAcceptEveryDaemonKeyUnderConfigInTheSchema() throws IOException {
        JsonNode schema = Rendered.YAML.readTree(tools.chart.resolve("values.schema.json").toFile());
        Pattern names = Pattern.compile(schema.path("properties").path("config").path("propertyNames")
                .path("pattern").asText());
        ConfigKeys.keys().forEach(key -> {
            assertTrue(names.matcher(key.name()).find(), key.name() + " dotted under config");
            assertTrue(names.matcher(key.name().split("\\.")[0]).find(), key.name() + " nested under config");
        });
    }

    @Test
    void shouldKeepTheReadmeValuesTableGeneratedFromValuesYaml() throws Exception {
        tools.node(null, "values-table.mjs", tools.chart.resolve("values.yaml").toString(), "--check",
                tools.chart.resolve("README.md").toString()).ok("values-table.mjs --check (to fix, run it with --into)");
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(field == null ? e.asText() : e.path(field).asText()));
        return out;
    }
}
