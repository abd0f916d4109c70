package io.transitwatch.daemon.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.kubernetes.ClusterState.Built;
import io.transitwatch.daemon.topology.DiscoverySnapshot;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.proto.flow.TraceObservationPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * Thread-safe: {@link #start} and {@link #close} from the lifecycle thread; informer callbacks and
 * snapshot builds on the one {@code kubernetes-state} thread; {@link #status} and
 * {@link #nodeAddresses} from any thread.
 *
 * <p>Where pods live, the nodes' addresses and Cilium's datapath settings, from the Kubernetes API
 * (issue #14, k8s-facts.md): one fabric8 shared informer (list + watch, resync, reconnect with
 * backoff; a watch that expires with 410 Gone is relisted and the store diffed, so no change is lost)
 * per resource — Nodes, CiliumNodes, CiliumEndpoints (kept reduced to {@code status.networking}),
 * CiliumEndpointSlices (when the API server serves them: {@code enable-cilium-endpoint-slice}),
 * CiliumNodeConfigs, the cilium-config ConfigMap and the {@code default/kubernetes} EndpointSlice
 * (where the API server answers: it names round trips to it). Every change marks the view dirty; the state
 * thread rebuilds at most once per {@code coalesce} and hands the immutable snapshot to
 * {@code publish} (the hand-off ring, which brings it to the join thread). An outage keeps the last
 * snapshot: the informers retry on their own and {@link #status} says what is missing; a 403 is
 * logged once per resource naming the verb, resource and the Helm value that grants it; an object
 * that cannot be read is counted and skipped.
 */
public final class KubernetesDiscovery implements AutoCloseable, DiscoverySnapshot.NodeAddressSource {
    private static final System.Logger LOG = System.getLogger(KubernetesDiscovery.class.getName());

    static final ResourceDefinitionContext CILIUM_NODES = crd("v2", "CiliumNode", "ciliumnodes", false);
    static final ResourceDefinitionContext CILIUM_ENDPOINTS = crd("v2", "CiliumEndpoint", "ciliumendpoints", true);
    /** Cluster-scoped, still {@code v2alpha1} in the Cilium versions we follow; not installed everywhere. */
    static final ResourceDefinitionContext CILIUM_ENDPOINT_SLICES =
            crd("v2alpha1", "CiliumEndpointSlice", "ciliumendpointslices", false);
    /** The Service every API server registers itself in; its EndpointSlice has the same name. */
    static final String API_SERVER_SERVICE = "kubernetes";
    static final String API_SERVER_NAMESPACE = "default";
    static final ResourceDefinitionContext CILIUM_NODE_CONFIGS =
            crd("v2", "CiliumNodeConfig", "ciliumnodeconfigs", true);

    /**
     * Immutable. How discovery runs.
     *
     * @param ciliumNamespace where cilium-config and the CiliumNodeConfigs live
     * @param ciliumConfigMap the name of Cilium's ConfigMap (cilium-config)
     * @param resync how often informers re-deliver their whole store (a safety net, not a poll)
     * @param syncTimeout how long {@link #start} waits for the first lists before the streams start anyway
     * @param coalesce changes within this time make one snapshot
     * @param calibrateDepartures false: {@code join.departure-points} was configured and wins
     * @param calibrateFirstData false: {@code join.monitor-aggregation-flags} was configured and wins
     */
    public record Options(String ciliumNamespace, String ciliumConfigMap, java.time.Duration resync, java.time.Duration syncTimeout,
            java.time.Duration coalesce, boolean calibrateDepartures, boolean calibrateFirstData) {}

    private final Options options;
    /** Cleared on close, with {@link #publish}: see {@link #close}. */
    private volatile ToIntFunction<String> nodeId;
    private volatile Consumer<DiscoverySnapshot> publish;
    private final Clock clock;
    private final ScheduledExecutorService state;
    /** Where informer notifications go to be applied: the state thread. */
    private final Executor notifications;
    private final ExecutorService clientTasks;
    private final KubernetesClient client;
    private final ClusterState cluster;
    private final List<Watched<?>> watched = new ArrayList<>();
    private final AtomicLong malformed = new AtomicLong();
    private final Map<String, String> forbidden = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    /** Optional resources the API server answered 404 for (CRD not installed): not a failure. */
    private final Map<String, CompletableFuture<Void>> notServed = new ConcurrentHashMap<>();
    /** Resources the API server answered 403 for since start (completed at the first). */
    private final Map<String, CompletableFuture<Void>> refused = new ConcurrentHashMap<>();
    private volatile String lastMalformed;
    private volatile Built lastBuilt;
    private volatile long lastSnapshotNanos;
    private long version;
    private boolean rebuildScheduled;
    private boolean closed;

    /** One resource's informer and its name for messages; an optional one may not be served at all. */
    private record Watched<T extends HasMetadata>(String resource, String helmValue, SharedIndexInformer<T> informer,
            Consumer<T> onUpsert, boolean optional, boolean essential) {
        /** What the store holds now, applied; an unreadable object is left to its notification to count. */
        void applyStore() {
            for (T object : informer.getStore().list()) {
                try {
                    onUpsert.accept(object);
                } catch (MalformedObjectException e) {
                    // counted once, when its own notification arrives
                }
            }
        }
    }

    /**
     * @param config where the API server is and how to authenticate ({@link #clientConfig})
     * @param nodeId pins a node name in the dictionary (thread-safe)
     * @param publish hands a snapshot to the join (the hand-off ring); called on the state thread
     * @param threads role → named thread factory, handed in by the lifecycle code
     */
    public KubernetesDiscovery(Config config, Options options, ToIntFunction<String> nodeId,
            Consumer<DiscoverySnapshot> publish, Function<String, ThreadFactory> threads, Clock clock) {
        this(config, options, nodeId, publish, threads, clock, UnaryOperator.identity());
    }

    /**
     * @param notificationPath wraps the state thread for the informers' notifications: a test holds
     *        them back, as a busy client executor can, to see that the first snapshot does not need them
     */
    KubernetesDiscovery(Config config, Options options, ToIntFunction<String> nodeId,
            Consumer<DiscoverySnapshot> publish, Function<String, ThreadFactory> threads, Clock clock,
            UnaryOperator<Executor> notificationPath) {
        this.options = options;
        this.nodeId = nodeId;
        this.publish = publish;
        this.clock = clock;
        // Informer callbacks that arrive after close find the state thread gone: dropped, not thrown into fabric8.
        this.state = new ScheduledThreadPoolExecutor(1, threads.apply("kubernetes-state"),
                new ThreadPoolExecutor.DiscardPolicy());
        this.notifications = notificationPath.apply(state);
        this.clientTasks = NamedJdkHttpClientFactory.executor(threads.apply("kubernetes-client"));
        this.client = new KubernetesClientBuilder().withConfig(config)
                .withHttpClientFactory(new NamedJdkHttpClientFactory(clientTasks))
                .withTaskExecutor(clientTasks)
                .build();
        this.cluster = new ClusterState("cilium-config " + options.ciliumNamespace() + "/" + options.ciliumConfigMap() + ":");
    }

    /**
     * The client configuration: the kubeconfig file when given, else fabric8's auto-configuration
     * (the pod's service account in a cluster; {@code KUBECONFIG} or {@code ~/.kube/config} outside).
     */
    public static Config clientConfig(java.util.Optional<java.nio.file.Path> kubeconfig) {
        return kubeconfig.map(path -> Config.fromKubeconfig(path.toFile())).orElseGet(() -> Config.autoConfigure(null));
    }

    /**
     * Starts every informer and waits up to {@code syncTimeout} for their first lists, then publishes
     * the first snapshot, so that the join places pod IPs from the first flow. Returns either way:
     * what is missing is retried in the background and shown in {@link #status}.
     */
    public synchronized void start() {
        long resync = options.resync().toMillis();
        watch("nodes", "kubernetes.enabled with rbac.create (ClusterRole: get/list/watch nodes)",
                client.nodes().runnableInformer(resync), this::onNode, this::onNodeDeleted);
        watch("ciliumnodes.cilium.io", "kubernetes.enabled with rbac.create (ClusterRole: get/list/watch ciliumnodes)",
                client.genericKubernetesResources(CILIUM_NODES).runnableInformer(resync),
                this::onCiliumNode, this::onCiliumNodeDeleted);
        SharedIndexInformer<GenericKubernetesResource> endpoints =
                client.genericKubernetesResources(CILIUM_ENDPOINTS).inAnyNamespace().runnableInformer(resync);
        // ~150k endpoints on a big cluster: the informer keeps only the fields placement needs, and the
        // name it is known by here (seedFromStores reads them back).
        endpoints.itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE,
                GenericKubernetesResource.class, client.getKubernetesSerialization(), "status.networking"));
        watch("ciliumendpoints.cilium.io", "kubernetes.enabled with rbac.create (ClusterRole: get/list/watch ciliumendpoints)",
                endpoints, this::onEndpoint, this::onEndpointDeleted);
        SharedIndexInformer<GenericKubernetesResource> slices =
                client.genericKubernetesResources(CILIUM_ENDPOINT_SLICES).runnableInformer(resync);
        slices.itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE,
                GenericKubernetesResource.class, client.getKubernetesSerialization(), "namespace", "endpoints"));
        watchOptional("ciliumendpointslices.cilium.io",
                "kubernetes.enabled with rbac.create (ClusterRole: get/list/watch ciliumendpointslices)",
                slices, this::onEndpointSlice, this::onEndpointSliceDeleted);
        watch("ciliumnodeconfigs.cilium.io", "kubernetes.enabled with rbac.create (ClusterRole: get/list/watch ciliumnodeconfigs)",
                client.genericKubernetesResources(CILIUM_NODE_CONFIGS).inNamespace(options.ciliumNamespace())
                        .runnableInformer(resync), this::onNodeConfig, this::onNodeConfigDeleted);
        watch("configmaps/" + options.ciliumConfigMap() + " in " + options.ciliumNamespace(),
                "kubernetes.enabled with rbac.create, hubble.ciliumNamespace and kubernetes.ciliumConfigMap (Role: "
                        + "get/list/watch that ConfigMap in that namespace)",
                client.configMaps().inNamespace(options.ciliumNamespace()).withName(options.ciliumConfigMap())
                        .runnableInformer(resync), this::onCiliumConfig, this::onCiliumConfigDeleted);
        // By name (fieldSelector metadata.name=kubernetes), which the Role's resourceNames in default allows:
        // the slice the API server's endpoint reconciler writes, not the EndpointSlices of the cluster.
        // Not essential: without it round trips to a CIDR-identity API server are named world, nothing worse.
        watch("endpointslices/" + API_SERVER_SERVICE + " in " + API_SERVER_NAMESPACE,
                "kubernetes.enabled with rbac.create (Role in default: get/list/watch the endpointslices named kubernetes)",
                client.discovery().v1().endpointSlices().inNamespace(API_SERVER_NAMESPACE).withName(API_SERVER_SERVICE)
                        .runnableInformer(resync), this::onApiServerSlice, this::onApiServerSliceDeleted, false, false);
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (Watched<?> each : watched) {
            CompletableFuture<Void> started = each.informer().start().toCompletableFuture();
            // A resource the API server does not serve (404), or one not essential that RBAC refuses (403),
            // must not hold the start for syncTimeout.
            starts.add(each.optional() ? CompletableFuture.anyOf(started, notServedSignal(each.resource()))
                    .thenApply(ignored -> (Void) null)
                    : !each.essential() ? CompletableFuture.anyOf(started, refusedSignal(each.resource()))
                            .thenApply(ignored -> (Void) null) : started);
        }
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
                    .get(options.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "kubernetes: not every resource listed within "
                    + options.syncTimeout().toSeconds() + " s; starting with what is known, retrying the rest ("
                    + missing() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            state.submit(this::seedFromStores).get(options.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "kubernetes: the first snapshot was not built: " + e);
        }
    }

    private <T extends HasMetadata> void watch(String resource, String helmValue, SharedIndexInformer<T> informer,
            Consumer<T> onUpsert, Consumer<T> onDelete) {
        watch(resource, helmValue, informer, onUpsert, onDelete, false, true);
    }

    /** A resource whose CRD may not be installed: a 404 says so in status, and is no failure. */
    private <T extends HasMetadata> void watchOptional(String resource, String helmValue,
            SharedIndexInformer<T> informer, Consumer<T> onUpsert, Consumer<T> onDelete) {
        watch(resource, helmValue, informer, onUpsert, onDelete, true, true);
    }

    private CompletableFuture<Void> notServedSignal(String resource) {
        return notServed.computeIfAbsent(resource, name -> new CompletableFuture<>());
    }

    /** Completed at the first 403 for the resource: what the start of a resource not essential waits for at most. */
    private CompletableFuture<Void> refusedSignal(String resource) {
        return refused.computeIfAbsent(resource, name -> new CompletableFuture<>());
    }

    private <T extends HasMetadata> void watch(String resource, String helmValue, SharedIndexInformer<T> informer,
            Consumer<T> onUpsert, Consumer<T> onDelete, boolean optional, boolean essential) {
        informer.exceptionHandler((started, failure) -> {
            onFailure(resource, helmValue, started, failure, optional, essential);
            return true; // keep retrying with the informer's backoff: RBAC fixes and outages heal without restart
        });
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                notifications.execute(() -> apply(object, onUpsert));
            }

            @Override
            public void onUpdate(T before, T object) {
                notifications.execute(() -> apply(object, onUpsert));
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                notifications.execute(() -> apply(object, onDelete));
            }
        });
        watched.add(new Watched<>(resource, helmValue, informer, onUpsert, optional, essential));
    }

    private void onFailure(String resource, String helmValue, boolean started, Throwable failure, boolean optional,
            boolean essential) {
        KubernetesClientException api = cause(failure);
        if (optional && api != null && api.getCode() == 404) {
            if (notServedSignal(resource).complete(null)) {
                LOG.log(System.Logger.Level.INFO, "kubernetes: " + resource + " is not served by this API server "
                        + "(the CRD is not installed); placements come from the other resources");
            }
            return;
        }
        if (api != null && api.getCode() == 403) {
            refusedSignal(resource).complete(null);
            String verb = started ? "watch" : "list";
            String message = "kubernetes: forbidden to " + verb + " " + resource + " (HTTP 403"
                    + (api.getStatus() != null && api.getStatus().getMessage() != null
                            ? ": " + api.getStatus().getMessage() : "") + "); the Helm value " + helmValue
                    + " grants it";
            if (forbidden.put(resource, message) == null) {
                LOG.log(essential ? System.Logger.Level.ERROR : System.Logger.Level.WARNING, message);
            }
            return;
        }
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        if (failures.put(resource, text) == null) {
            LOG.log(System.Logger.Level.WARNING, "kubernetes: " + resource + " unavailable, keeping the last view "
                    + "and retrying with backoff: " + text);
        }
    }

    private static KubernetesClientException cause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException api) {
                return api;
            }
        }
        return null;
    }

    private <T> void apply(T object, Consumer<T> action) {
        try {
            action.accept(object);
        } catch (MalformedObjectException e) {
            countMalformed(e);
            return;
        }
        scheduleRebuild();
    }

    private void countMalformed(MalformedObjectException e) {
        long count = malformed.incrementAndGet();
        lastMalformed = e.getMessage();
        if (count == 1) {
            LOG.log(System.Logger.Level.WARNING, "kubernetes: skipped an object that cannot be read (counted in "
                    + "transitwatch_kubernetes_malformed_objects_total): " + e.getMessage());
        }
    }

    private void onNode(Node node) {
        cluster.putNode(ObjectReader.node(node));
    }

    private void onNodeDeleted(Node node) {
        cluster.removeNode(node.getMetadata().getName());
    }

    private void onCiliumNode(GenericKubernetesResource node) {
        cluster.putCiliumNode(ObjectReader.ciliumNode(node));
    }

    private void onCiliumNodeDeleted(GenericKubernetesResource node) {
        cluster.removeCiliumNode(node.getMetadata().getName());
    }

    private void onEndpoint(GenericKubernetesResource endpoint) {
        cluster.putEndpoint(key(endpoint), ObjectReader.endpoint(endpoint));
    }

    private void onEndpointDeleted(GenericKubernetesResource endpoint) {
        cluster.removeEndpoint(key(endpoint));
    }

    private void onEndpointSlice(GenericKubernetesResource slice) {
        cluster.putEndpointSlice(slice.getMetadata().getName(), ObjectReader.endpointSlice(slice, this::countMalformed));
    }

    private void onEndpointSliceDeleted(GenericKubernetesResource slice) {
        cluster.removeEndpointSlice(slice.getMetadata().getName());
    }

    private void onApiServerSlice(EndpointSlice slice) {
        cluster.putApiServerSlice(slice.getMetadata().getName(), ObjectReader.apiServerSlice(slice));
    }

    private void onApiServerSliceDeleted(EndpointSlice slice) {
        cluster.removeApiServerSlice(slice.getMetadata().getName());
    }

    private void onNodeConfig(GenericKubernetesResource config) {
        cluster.putNodeConfig(ObjectReader.nodeConfig(config));
    }

    private void onNodeConfigDeleted(GenericKubernetesResource config) {
        cluster.removeNodeConfig(key(config));
    }

    private void onCiliumConfig(ConfigMap map) {
        cluster.setCiliumConfig(map.getData() == null ? Map.of() : map.getData());
    }

    private void onCiliumConfigDeleted(ConfigMap map) {
        cluster.setCiliumConfig(null);
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    private void scheduleRebuild() {
        if (!rebuildScheduled) {
            rebuildScheduled = true;
            state.schedule(this::rebuild, options.coalesce().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The first build, from what the informers' stores hold. fabric8 completes an informer's start
     * once its list is in the store, but delivers that list's notifications afterwards, on the client's
     * executor: built from notifications alone, the first snapshot could miss pods the API server had
     * listed, and the join would call their flows unplaced. A notification that arrives later applies
     * its object again (upserts are keyed by namespace and name), and the changes after it follow in
     * their order, so the state ends where the API server is.
     */
    private void seedFromStores() {
        watched.forEach(Watched::applyStore);
        rebuild();
    }

    private void rebuild() {
        rebuildScheduled = false;
        Built built = cluster.build(nodeId, options.calibrateDepartures(), options.calibrateFirstData(), ++version);
        lastBuilt = built;
        lastSnapshotNanos = clock.epochNanos();
        publish.accept(built.snapshot());
    }

    @Override
    public Map<String, List<IpPrefix>> nodeAddresses() {
        Built built = lastBuilt;
        return built == null ? Map.of() : built.nodeAddresses();
    }

    /** The last snapshot built, or null before the first. */
    public DiscoverySnapshot snapshot() {
        Built built = lastBuilt;
        return built == null ? null : built.snapshot();
    }

    public DiscoveryStatus status() {
        List<ResourceWatch> resources = new ArrayList<>();
        for (Watched<?> each : watched) {
            SharedIndexInformer<?> informer = each.informer();
            boolean watching = informer.isWatching();
            if (watching) {
                // A resource that works again (RBAC granted, API server back) reports its next failure anew.
                forbidden.remove(each.resource());
                failures.remove(each.resource());
                notServed.remove(each.resource());
            }
            CompletableFuture<Void> absent = notServed.get(each.resource());
            resources.add(new ResourceWatch(each.resource(), informer.hasSynced(), watching,
                    informer.getStore().listKeys().size(), forbidden.get(each.resource()), failures.get(each.resource()),
                    absent == null || !absent.isDone(), each.essential()));
        }
        Built built = lastBuilt;
        Map<String, DiscoveryStatus.NodeCalibration> calibrations = new LinkedHashMap<>();
        if (built != null) {
            built.report().calibrations().forEach((node, calibration) -> calibrations.put(node, plain(calibration)));
        }
        return new DiscoveryStatus(true, resources, built == null ? 0 : version, lastSnapshotNanos,
                built == null ? 0 : built.report().endpointIps(),
                built == null ? 0 : built.report().endpointsWithoutNode(),
                built == null ? 0 : built.report().ciliumNodeCidrs(), built == null ? 0 : built.report().nodeCidrs(),
                built == null ? 0 : built.report().conflicts(), malformed.get(), lastMalformed, calibrations,
                !options.calibrateDepartures(), !options.calibrateFirstData(),
                built == null ? List.of() : built.report().apiServerAddresses().stream()
                        .map(address -> address.toString().replaceFirst("/\\d+$", "")).toList());
    }

    private static DiscoveryStatus.NodeCalibration plain(Calibration calibration) {
        return new DiscoveryStatus.NodeCalibration(names(calibration.departurePoints()),
                names(calibration.arrivalExtras()), calibration.firstData(), calibration.ipv4(), calibration.ipv6(),
                calibration.blindSpots(), calibration.warnings(), calibration.sources());
    }

    private static List<String> names(Set<Integer> points) {
        return points.stream().sorted().map(point -> {
            TraceObservationPoint known = TraceObservationPoint.forNumber(point);
            return known == null ? String.valueOf(point) : known.name();
        }).toList();
    }

    private String missing() {
        List<String> names = new ArrayList<>();
        for (Watched<?> each : watched) {
            if (!each.informer().hasSynced() && !notServedSignal(each.resource()).isDone()) {
                names.add(each.resource() + (forbidden.containsKey(each.resource()) ? " (403)" : ""));
            }
        }
        return String.join(", ", names);
    }

    /**
     * Stops the informers and the client; the last snapshot stays with the join. Each stopped watch
     * sends its close frame; the API server's answer still arrives on {@code clientTasks} after this
     * returns (it runs in the JDK's selector thread once the pool is shut down), which is what ends
     * fabric8's WebSocket and its keep-alive ping. Should a fabric8 object outlive close all the same
     * (its static scheduler holds a watch until the WebSocket ends, and so this discovery), the
     * publisher and the node-name pinning are cleared so that it cannot hold the daemon's hand-off
     * ring or dictionary.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        watched.forEach(each -> each.informer().stop());
        client.close();
        state.shutdownNow();
        clientTasks.shutdown(); // not shutdownNow: an interrupt could cut off a close handshake being delivered
        publish = snapshot -> { };
        nodeId = name -> 0;
    }

    private static ResourceDefinitionContext crd(String version, String kind, String plural, boolean namespaced) {
        return new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }
}
