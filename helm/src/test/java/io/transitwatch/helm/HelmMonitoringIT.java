package io.transitwatch.helm;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.helm.ChartTools.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the chart adds for a real cluster: the RBAC of Kubernetes discovery and its switch
 * {@code kubernetes.enabled}, the {@code helm test} pod that runs {@code transitwatch doctor}, the
 * Grafana dashboard and the PrometheusRule. Every PromQL expression of both is parsed with Prometheus's
 * own grammar (helm/validate/promql.mjs) and every metric it names must be one that the daemon really
 * exports: the list comes from the {@code /metrics} of a running {@code transitwatch demo}, never from a
 * hand-written list.
 */
class HelmMonitoringIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WEB_PAGE = Pattern.compile("web page (http://[^ ]+/)");
    private static final Pattern SAMPLE_NAME = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    private static ChartTools tools;
    private static Rendered monitoring;
    private static Set<String> exported;

    @BeforeAll
    static void setUp() throws Exception {
        tools = ChartTools.locate();
        monitoring = Rendered.parse(tools.template(HelmChartIT.DEFAULT, "--set",
                "prometheusRule.enabled=true,grafanaDashboard.enabled=true").ok("helm template with the monitoring values"));
        exported = metricsOfARunningDemo();
    }

    @AfterAll
    static void forget() {
        exported = null;
    }

    // ---- RBAC and kubernetes.enabled ----

    @Test
    void shouldGrantReadOnlyAccessToNodesCiliumObjectsTheApiServersSliceAndTheCiliumConfigMapByName() throws Exception {
        Rendered rendered = Rendered.parse(tools.template(HelmChartIT.DEFAULT).ok("helm template"));
        JsonNode clusterRules = rendered.one("ClusterRole").path("rules");
        assertEquals(2, clusterRules.size(), clusterRules.toString());
        assertEquals("[\"\"]", clusterRules.get(0).path("apiGroups").toString());
        assertEquals("[\"nodes\"]", clusterRules.get(0).path("resources").toString());
        assertEquals("[\"cilium.io\"]", clusterRules.get(1).path("apiGroups").toString());
        assertEquals("[\"ciliumnodes\",\"ciliumendpoints\",\"ciliumendpointslices\",\"ciliumnodeconfigs\"]",
                clusterRules.get(1).path("resources").toString());
        for (JsonNode rule : clusterRules) {
            assertEquals("[\"get\",\"list\",\"watch\"]", rule.path("verbs").toString(), "read-only: " + rule);
        }

        // the API server's EndpointSlice: in default, by name, not cluster-wide
        String name = rendered.one("ClusterRole").path("metadata").path("name").asText();
        JsonNode apiServerRole = rendered.named("Role", name + "-api-server");
        assertEquals("default", apiServerRole.path("metadata").path("namespace").asText());
        assertEquals(1, apiServerRole.path("rules").size());
        JsonNode sliceRule = apiServerRole.path("rules").get(0);
        assertEquals("[\"discovery.k8s.io\"]", sliceRule.path("apiGroups").toString());
        assertEquals("[\"endpointslices\"]", sliceRule.path("resources").toString());
        assertEquals("[\"kubernetes\"]", sliceRule.path("resourceNames").toString(), "the API server's EndpointSlice only");
        assertEquals("[\"get\",\"list\",\"watch\"]", sliceRule.path("verbs").toString());
        JsonNode apiServerBinding = rendered.named("RoleBinding", name + "-api-server");
        assertEquals("default", apiServerBinding.path("metadata").path("namespace").asText());
        assertEquals(name + "-api-server", apiServerBinding.path("roleRef").path("name").asText());

        JsonNode role = rendered.named("Role", name + "-cilium-config");
        assertEquals("kube-system", role.path("metadata").path("namespace").asText(), "Cilium's namespace");
        JsonNode roleRule = role.path("rules").get(0);
        assertEquals(1, role.path("rules").size());
        assertEquals("[\"configmaps\"]", roleRule.path("resources").toString());
        assertEquals("[\"cilium-config\"]", roleRule.path("resourceNames").toString(), "that one ConfigMap only");
        assertEquals("[\"get\",\"list\",\"watch\"]", roleRule.path("verbs").toString());
        assertFalse(rendered.text.contains("secrets"), "no access to Secrets");

        String serviceAccount = rendered.one("ServiceAccount").path("metadata").path("name").asText();
        List<JsonNode> bindings = new java.util.ArrayList<>(rendered.all("RoleBinding"));
        bindings.add(rendered.one("ClusterRoleBinding"));
        assertEquals(3, bindings.size());
        for (JsonNode binding : bindings) {
            JsonNode subject = binding.path("subjects").get(0);
            assertEquals(serviceAccount, subject.path("name").asText(), binding.toString());
            assertEquals("kube-system", subject.path("namespace").asText(), binding.toString());
        }
        assertEquals(name, rendered.one("ClusterRoleBinding").path("roleRef").path("name").asText());
        assertEquals(role.path("metadata").path("name"),
                rendered.named("RoleBinding", name + "-cilium-config").path("roleRef").path("name"));
        assertEquals(serviceAccount, rendered.pod().path("spec").path("serviceAccountName").asText());
        assertTrue(rendered.pod().path("spec").path("automountServiceAccountToken").asBoolean(), "the token for the API");
        assertEquals("true", rendered.env("TRANSITWATCH_KUBERNETES_ENABLED").orElseThrow().path("value").asText());

        Rendered otherNamespace = Rendered.parse(tools.template(HelmChartIT.DEFAULT, "--set",
                "hubble.ciliumNamespace=cilium,kubernetes.ciliumConfigMap=cilium-config-alt").ok("helm template"));
        JsonNode otherRole = otherNamespace.named("Role", name + "-cilium-config");
        assertEquals("cilium", otherRole.path("metadata").path("namespace").asText());
        assertEquals("cilium", otherNamespace.named("RoleBinding", name + "-cilium-config").path("metadata")
                .path("namespace").asText());
        assertEquals("[\"cilium-config-alt\"]", otherRole.path("rules").get(0).path("resourceNames").toString());
    }

    @Test
    void shouldRenderNoRbacAndNoTokenAndTellTheDaemonWhenKubernetesIsDisabled() throws Exception {
        Rendered rendered = Rendered.parse(tools.template(HelmChartIT.DEFAULT, "--set", "kubernetes.enabled=false")
                .ok("helm template"));
        for (String kind : List.of("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")) {
            assertTrue(rendered.all(kind).isEmpty(), kind + " rendered with kubernetes.enabled=false");
        }
        assertFalse(rendered.pod().path("spec").path("automountServiceAccountToken").asBoolean(true));
        assertEquals("false", rendered.env("TRANSITWATCH_KUBERNETES_ENABLED").orElseThrow().path("value").asText());

        Rendered noRbac = Rendered.parse(tools.template(HelmChartIT.DEFAULT, "--set", "rbac.create=false").ok("helm template"));
        assertTrue(noRbac.all("ClusterRole").isEmpty() && noRbac.all("Role").isEmpty(), "rbac.create=false");
        assertEquals("true", noRbac.env("TRANSITWATCH_KUBERNETES_ENABLED").orElseThrow().path("value").asText(),
                "bring-your-own RBAC still reads the API");
    }

    /**
     * The environment variable is the daemon's own spelling of the key {@code kubernetes.enabled}
     * (EnvSource: upper case, dots and dashes as underscores), so the daemon reads it as that key.
     */
    @Test
    void shouldSpellTheKubernetesSwitchAsTheDaemonsEnvironmentFormOfTheKey() throws Exception {
        String name = Rendered.parse(tools.template(HelmChartIT.DEFAULT).ok("helm template"))
                .container().path("env").findValuesAsText("name").stream()
                .filter(n -> n.contains("KUBERNETES")).findFirst().orElseThrow();
        assertEquals("TRANSITWATCH_" + "kubernetes.enabled".toUpperCase().replace('.', '_').replace('-', '_'), name);
    }

    // ---- helm test: transitwatch doctor ----

    @Test
    void shouldRunDoctorAsAHelmTestWithTheDaemonsImageConfigurationAndServiceAccount() throws Exception {
        Rendered rendered = Rendered.parse(tools.template("direct-mtls-values.yaml").ok("helm template"));
        JsonNode doctor = rendered.named("Pod", "tw-transitwatch-test-doctor");
        assertEquals("test", doctor.path("metadata").path("annotations").path("helm.sh/hook").asText());
        JsonNode spec = doctor.path("spec");
        JsonNode container = spec.path("containers").get(0);
        JsonNode daemon = rendered.container();
        assertEquals(daemon.path("image"), container.path("image"), "the daemon's own image");
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        assertEquals(List.of("doctor", "--config", "/etc/transitwatch/config.yaml", "--format", "text"), args);
        assertEquals(daemon.path("env"), container.path("env"), "the daemon's environment");
        assertEquals(daemon.path("volumeMounts"), container.path("volumeMounts"), "the daemon's files, TLS included");
        assertEquals(rendered.pod().path("spec").path("volumes"), spec.path("volumes"));
        assertEquals(rendered.pod().path("spec").path("serviceAccountName"), spec.path("serviceAccountName"));
        assertTrue(spec.path("automountServiceAccountToken").asBoolean());
        assertEquals("Never", spec.path("restartPolicy").asText());
        assertTrue(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertTrue(spec.path("securityContext").path("runAsNonRoot").asBoolean());

        JsonNode selector = rendered.deployment().path("spec").path("selector").path("matchLabels");
        JsonNode labels = doctor.path("metadata").path("labels");
        assertNotEquals(selector.path("app.kubernetes.io/name"), labels.path("app.kubernetes.io/name"),
                "the Deployment's ReplicaSet would adopt the doctor pod");

        JsonNode policy = rendered.one("CiliumNetworkPolicy").path("spec").path("endpointSelector");
        JsonNode names = policy.path("matchExpressions").get(0).path("values");
        assertTrue(names.toString().contains("\"" + labels.path("app.kubernetes.io/name").asText() + "\""),
                "the CiliumNetworkPolicy lets the doctor pod reach Hubble and the API server: " + policy);
        assertTrue(names.toString().contains("\"" + selector.path("app.kubernetes.io/name").asText() + "\""), policy.toString());

        assertTrue(Rendered.parse(tools.template(HelmChartIT.DEFAULT, "--set", "testFramework.doctor.enabled=false")
                .ok("helm template")).all("Pod").stream()
                .noneMatch(p -> p.path("metadata").path("name").asText().endsWith("doctor")));
    }

    // ---- Grafana dashboard ----

    @Test
    void shouldShipTheDashboardForGrafanasSidecarOnlyWhenEnabled() throws Exception {
        JsonNode configMap = monitoring.named("ConfigMap", "tw-transitwatch-dashboard");
        assertEquals("1", configMap.path("metadata").path("labels").path("grafana_dashboard").asText(), "the sidecar's label");
        JsonNode dashboard = JSON.readTree(configMap.path("data").path("transitwatch.json").asText());
        assertEquals(Files.readString(tools.chart.resolve("files/grafana-dashboard.json")).strip(),
                configMap.path("data").path("transitwatch.json").asText().strip(), "the file, unchanged");
        assertEquals("transitwatch-overview", dashboard.path("uid").asText());

        List<String> titles = dashboard.findValuesAsText("title");
        assertTrue(titles.stream().anyMatch(t -> t.startsWith("Loss in transit, IPv4")), titles.toString());
        assertTrue(titles.stream().anyMatch(t -> t.startsWith("Loss in transit, IPv6")), titles.toString());
        assertTrue(titles.contains("Verdict rates") && titles.contains("UNVERIFIED by reason")
                && titles.contains("Hubble streams connected"), titles.toString());
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("title").asText().startsWith("Loss in transit, IPv")) {
                assertEquals("groupingToMatrix", panel.path("transformations").get(0).path("id").asText());
                assertEquals("source_node", panel.path("transformations").get(0).path("options").path("rowField").asText());
                assertEquals("destination_node", panel.path("transformations").get(0).path("options").path("columnField").asText());
            }
            for (JsonNode target : panel.path("targets")) {
                assertEquals("${datasource}", target.path("datasource").path("uid").asText(), panel.path("title").asText());
            }
        }

        Rendered other = Rendered.parse(tools.template(HelmChartIT.DEFAULT, "--set",
                "grafanaDashboard.enabled=true,grafanaDashboard.namespace=monitoring").ok("helm template"));
        assertEquals("monitoring", other.named("ConfigMap", "tw-transitwatch-dashboard").path("metadata").path("namespace").asText());
        assertTrue(Rendered.parse(tools.template(HelmChartIT.DEFAULT).ok("helm template")).all("ConfigMap").size() == 1,
                "no dashboard by default");
    }

    @Test
    void shouldParseEveryDashboardQueryAndNameOnlyExportedMetrics() throws Exception {
        List<JsonNode> checked = tools.promql(monitoring.text);
        List<JsonNode> dashboard = checked.stream().filter(c -> c.path("where").asText().startsWith("dashboard")).toList();
        assertTrue(dashboard.size() >= 20, "every panel's queries: " + dashboard.size());
        assertParsedAndExported(dashboard);
    }

    // ---- PrometheusRule ----

    @Test
    void shouldCarryTheAlertRulesOfOperationsMdInThePrometheusRule() throws Exception {
        JsonNode rule = monitoring.one("PrometheusRule");
        JsonNode groups = rule.path("spec").path("groups");
        JsonNode documented = Rendered.YAML.readTree(tools.yamlBlockOf("docs/operations.md", "## Example Prometheus alert rules")).path("groups");
        assertEquals(documented, groups, "docs/operations.md and files/prometheus-rules.yaml must say the same");
        List<String> alerts = groups.findValuesAsText("alert");
        assertTrue(alerts.containsAll(List.of("TransitWatchPacketsLostInTransit", "TransitWatchObserverDown",
                "TransitWatchUnverifiedHigh", "TransitWatchSinkDropping")), alerts.toString());
        assertTrue(groups.toString().contains("{{ $labels.source_node }}"), "annotations reach Prometheus untemplated by Helm");
        assertTrue(Rendered.parse(tools.template(HelmChartIT.DEFAULT).ok("helm template")).all("PrometheusRule").isEmpty());
    }

    @Test
    void shouldParseEveryRuleAndNameOnlyExportedMetrics() throws Exception {
        List<JsonNode> rules = tools.promql(monitoring.text).stream()
                .filter(c -> c.path("where").asText().startsWith("PrometheusRule")).toList();
        assertEquals(monitoring.one("PrometheusRule").findValuesAsText("alert").size(), rules.size());
        assertParsedAndExported(rules);
    }

    /** The checks above can fail: a typo in a function, a range function on an instant vector, a metric the daemon lacks. */
    @Test
    void shouldRejectABrokenExpressionAndAMetricTheDaemonDoesNotExport() throws Exception {
        String broken = """
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata: {name: broken}
                spec:
                  groups:
                    - name: g
                      rules:
                        - {alert: Typo, expr: 'rat(transitwatch_lost_total[5m]) > 0'}
                        - {alert: Instant, expr: 'increase(transitwatch_lost_total) > 0'}
                        - {alert: Unknown, expr: 'increase(transitwatch_lsot_total[5m]) > 0'}
                """;
        Result result = tools.node(broken, "promql.mjs", "--json");
        assertEquals(1, result.exit(), result.all());
        List<JsonNode> checked = new ArrayList<>();
        JSON.readTree(result.out()).forEach(checked::add);
        assertFalse(checked.get(0).path("errors").isEmpty(), checked.get(0).toString());
        assertTrue(checked.get(1).path("errors").toString().contains("needs a range vector"), checked.get(1).toString());
        assertTrue(checked.get(2).path("errors").isEmpty());
        assertFalse(exported.contains(checked.get(2).path("metrics").get(0).asText()), "transitwatch_lsot_total is not exported");
    }

    // ---- helpers ----

    private static void assertParsedAndExported(List<JsonNode> checked) {
        List<String> problems = new ArrayList<>();
        for (JsonNode expression : checked) {
            String where = expression.path("where").asText();
            if (!expression.path("errors").isEmpty()) {
                problems.add(where + ": " + expression.path("errors") + " in " + expression.path("expr").asText());
            }
            assertFalse(expression.path("metrics").isEmpty(), where + " selects no metric");
            for (JsonNode metric : expression.path("metrics")) {
                if (!exported.contains(metric.asText())) {
                    problems.add(where + ": " + metric.asText() + " is not among the daemon's metrics");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\nexported: " + exported);
    }

    /**
     * Sample names (with their _total, _bucket suffixes) of the {@code /metrics} of {@code transitwatch
     * demo} (the seed scenario, in a child JVM with the daemon's class path), once it has judged a loss.
     */
    private static Set<String> metricsOfARunningDemo() throws Exception {
        Path stderr = Files.createTempFile(tools.work, "demo", ".err");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process demo = new ProcessBuilder(java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.transitwatch.daemon.TransitWatch", "demo", "--duration", "120s", "--http-port", "0", "--format", "json")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
        try {
            AtomicReference<String> url = new AtomicReference<>();
            await("the demo's web page URL on stderr").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        assertTrue(demo.isAlive(), () -> "the demo exited: " + read(stderr));
                        Matcher m = WEB_PAGE.matcher(read(stderr));
                        if (m.find()) {
                            url.set(m.group(1));
                        }
                        return url.get() != null;
                    });
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest scrape = HttpRequest.newBuilder(URI.create(url.get() + "metrics")).build();
            AtomicReference<String> text = new AtomicReference<>("");
            await("a judged loss in the demo's /metrics").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        text.set(http.send(scrape, HttpResponse.BodyHandlers.ofString()).body());
                        return text.get().lines().anyMatch(l -> l.startsWith("transitwatch_lost_total{")
                                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0);
                    });
            Set<String> names = new TreeSet<>();
            text.get().lines().filter(l -> !l.startsWith("#")).forEach(l -> {
                Matcher m = SAMPLE_NAME.matcher(l);
                if (m.find()) {
                    names.add(m.group(1));
                }
            });
            assertTrue(names.size() > 30, "the demo exports the daemon's metrics: " + names);
            return names;
        } finally {
            demo.destroy();
            demo.waitFor();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
