package io.transitwatch.daemon.config;

import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.PacketKind;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.proto.flow.TraceObservationPoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Every configuration key of the daemon, declared once with its type, default and doc (in the manner
 * of Aeron's {@code Configuration} and Kafka's {@code ConfigDef}). The reference output
 * ({@code transitwatch config defaults}) and {@code docs/configuration.md} are generated from this
 * table, in this order. YAML nesting is the same as dots: {@code join: {window: 5s}} is
 * {@code join.window: 5s}.
 */
public final class ConfigKeys {
    // Must stay above the declarations: define() appends to it while the class initializes.
    private static final List<Declaration> DECLARED = new ArrayList<>();

    private static final int MIN_RING = 64;
    private static final int MAX_RING = 1 << 24;

    // ---- hubble: where flows come from (DESIGN §4) ----

    public static final Key<HubbleMode> HUBBLE_MODE = define("hubble.mode",
            ChoiceType.ofEnum(HubbleMode.class).withAlias("nodes", HubbleMode.DIRECT), HubbleMode.RELAY,
            "relay: one stream from Hubble Relay, which merges every node. direct: one stream per node's Hubble "
            + "server (port 4244, usually mTLS), nodes from hubble.nodes or, when that is empty, discovered "
            + "through the Peer service at hubble.peer.address. Direct mode keeps working when Relay is down.");
    public static final Key<String> HUBBLE_RELAY_ADDRESS = define("hubble.relay.address",
            TextType.HOST_PORT, "hubble-relay.kube-system.svc.cluster.local:80",
            "host:port of Hubble Relay (relay mode).");
    public static final Key<String> HUBBLE_PEER_ADDRESS = define("hubble.peer.address",
            TextType.HOST_PORT, "hubble-peer.kube-system.svc.cluster.local:443",
            "host:port of the hubble-peer Service, which announces every node's Hubble server (direct mode "
            + "without hubble.nodes).");
    public static final Key<List<String>> HUBBLE_NODES = define("hubble.nodes",
            ListType.of(TextType.NODE_ADDRESS), List.of(),
            "A fixed node list for direct mode, name=host:port each (solwk01=10.0.0.21:4244); when set, "
            + "the Peer service is not used.");
    public static final Key<Boolean> HUBBLE_TLS_ENABLED = define("hubble.tls.enabled",
            BoolType.INSTANCE, false,
            "Connect with TLS, presenting a client certificate (Hubble servers require mTLS; Relay when it "
            + "serves TLS). Needs hubble.tls.ca-file, cert-file and key-file.");
    public static final Key<Path> HUBBLE_TLS_CA_FILE = optional("hubble.tls.ca-file",
            PathType.INSTANCE,
            "PEM file of the CA that signed the Hubble servers' certificates (ca.crt of Cilium's "
            + "hubble-relay-client-certs Secret).");
    public static final Key<Path> HUBBLE_TLS_CERT_FILE = optional("hubble.tls.cert-file",
            PathType.INSTANCE,
            "PEM client certificate presented to Hubble (tls.crt of hubble-relay-client-certs).");
    public static final Key<Path> HUBBLE_TLS_KEY_FILE = optional("hubble.tls.key-file",
            PathType.INSTANCE,
            "PEM private key of the client certificate (tls.key of hubble-relay-client-certs).");
    public static final Key<String> HUBBLE_TLS_SERVER_NAME = optional("hubble.tls.server-name",
            TextType.ANY,
            "Name the server certificate must carry. Unset: the name Cilium's certificates carry, per mode. "
            + "relay: instance.hubble-relay.cilium.io (Relay's server certificate is issued for "
            + "*.hubble-relay.cilium.io only; the hubble CLI's --tls-server-name takes the same kind of name). "
            + "direct: hubble-peer.default.hubble-grpc.cilium.io for the Peer service and hubble.nodes, as "
            + "Hubble Relay itself uses (node certificates are *.<cluster>.hubble-grpc.cilium.io; replace "
            + "default when Cilium's cluster.name is another). Nodes found through the Peer service use the "
            + "name it announces for each (<node>.<cluster>.hubble-grpc.cilium.io). Set it to the host of the "
            + "address to verify that instead.");
    public static final Key<Duration> HUBBLE_TLS_RELOAD_INTERVAL = define("hubble.tls.reload-interval",
            DurationType.positive(), Duration.ofMinutes(1),
            "How often the CA, certificate and key files are checked for a new version (a mounted Secret "
            + "rotates when kubelet swaps its ..data link). New connections use the new files; streams that "
            + "are up keep theirs. The key pair is taken once both its files changed.");
    public static final Key<Duration> HUBBLE_BACKOFF_INITIAL = define("hubble.backoff.initial",
            DurationType.positive(), Duration.ofSeconds(1),
            "First delay before reconnecting a broken stream; each further attempt waits 1.6 times "
            + "longer (gRPC's connection-backoff multiplier), with ±20 % jitter, up to hubble.backoff.max.");
    public static final Key<Duration> HUBBLE_BACKOFF_MAX = define("hubble.backoff.max",
            DurationType.positive(), Duration.ofSeconds(30),
            "Longest delay between reconnect attempts.");
    public static final Key<Duration> HUBBLE_BACKFILL_OVERLAP = define("hubble.backfill-overlap",
            DurationType.nonNegative(), Duration.ofSeconds(2),
            "A reconnecting stream asks for flows from this long before the last one it saw, so that "
            + "nothing in between is missed; the overlap is de-duplicated by flow uuid. Behind Relay, the first "
            + "stream also asks for this much before it opens: Relay re-queries a recovered node with that "
            + "request, and re-reads its outage only from a since.");
    public static final Key<Boolean> HUBBLE_FIELD_MASK = define("hubble.field-mask",
            BoolType.INSTANCE, true,
            "Ask Hubble for only the fields the join reads: far fewer bytes to send and decode.");
    public static final Key<Boolean> HUBBLE_SERVER_FILTERS = define("hubble.server-filters",
            BoolType.INSTANCE, true,
            "Let Hubble send only the departure, arrival and drop events the join needs; false streams "
            + "every flow and filters here.");
    public static final Key<Duration> HUBBLE_GET_NODES_INTERVAL = define("hubble.get-nodes-interval",
            DurationType.positive(), Duration.ofSeconds(2),
            "Relay mode: how often Relay's GetNodes is polled for each node's health. Relay holds the error of a "
            + "node's failed stream for up to 10 s (its error aggregation window) before it reports it, so this "
            + "poll is what puts a failed node down before departures to it could look lost: polled at least "
            + "twice per join.window whatever this says.");
    public static final Key<Duration> HUBBLE_RELAY_STRAGGLER_WINDOW = define("hubble.relay-straggler-window",
            DurationType.nonNegative(), Duration.ofSeconds(3),
            "Relay mode: after Relay reports a node down (NODE_ERROR), its events that still come for this "
            + "long are taken as stragglers from Relay's sort buffer, not as the node being back; the first "
            + "later one shows where its stream resumed. At least twice Relay's sort-buffer-drain-timeout "
            + "(1s by default).");

    // ---- handoff: the ring between the ingest threads and the join thread (DESIGN §5) ----

    public static final Key<Integer> HANDOFF_CAPACITY = define("handoff.capacity",
            IntType.powerOfTwo(MIN_RING, MAX_RING), 65536,
            "Slots of the ring between the ingest threads and the join thread. When it is full, ingest "
            + "stops asking Hubble for more instead of buffering, and Hubble reports the loss.");

    // ---- join: departures joined with arrivals (DESIGN §3) ----

    public static final Key<Duration> JOIN_WINDOW = define("join.window",
            DurationType.positive(), Duration.ofSeconds(5),
            "How long a departure waits for its arrival at the destination node before it is declared "
            + "lost (W).");
    public static final Key<Duration> JOIN_ARRIVAL_MEMORY = define("join.arrival-memory",
            DurationType.positive(), Duration.ofSeconds(5),
            "How long an arrival is remembered beyond W, so that a departure processed after its arrival "
            + "(node streams are not ordered against each other) still matches.");
    public static final Key<Duration> JOIN_LATE_HORIZON = define("join.late-horizon",
            DurationType.positive(), Duration.ofSeconds(60),
            "How long after a LOST verdict a late arrival still resolves it (a LATE follow-up); also how long "
            + "the join remembers where a client's TCP connection went when it could not follow it end to end "
            + "(a backend's reply translated by kube-proxy is then UNVERIFIED request_unseen, not LOST).");
    public static final Key<Duration> JOIN_DOWN_GRACE = define("join.down-grace",
            DurationType.nonNegative(), Duration.ofSeconds(10),
            "How long past its deadline a departure to a disconnected node waits for the node to come back "
            + "and backfill before it is UNVERIFIED.");
    public static final Key<Duration> JOIN_MAX_BEHIND = define("join.max-behind",
            DurationType.positive(), Duration.ofSeconds(30),
            "How long past its deadline a departure waits for a connected but lagging destination stream "
            + "before it is UNVERIFIED.");
    public static final Key<Duration> JOIN_CATCH_UP_LIMIT = define("join.catch-up-limit",
            DurationType.nonNegative(), Duration.ofSeconds(5),
            "How long a node stream that came back (or started) may take to deliver an event from after "
            + "the moment it came up, i.e. to finish reading its backfill, before the join stops waiting "
            + "for it. Until then nothing that waits on that node is decided by time alone; an outage "
            + "whose backfill is not seen through by then is UNVERIFIED, never LOST.");
    public static final Key<Duration> JOIN_LOST_EVENTS_SPAN = define("join.lost-events-span",
            DurationType.nonNegative(), Duration.ofSeconds(5),
            "When Hubble reports lost events without saying when (before v1.19: no first/last times), "
            + "the span before the report that is treated as incomplete; departures whose window overlaps "
            + "it are UNVERIFIED.");
    public static final Key<Integer> JOIN_PENDING_CAPACITY = define("join.pending-capacity",
            IntType.powerOfTwo(MIN_RING, MAX_RING), 65536,
            "Departures waiting for their arrival, at most. When full, the oldest is decided UNVERIFIED "
            + "(capacity) and counted. Also sizes the round trips' attempts and the clients' connections "
            + "remembered for join.late-horizon.");
    public static final Key<Integer> JOIN_ARRIVAL_CAPACITY = define("join.arrival-capacity",
            IntType.powerOfTwo(MIN_RING, MAX_RING), 65536,
            "Remembered arrivals, at most. When full, the oldest is forgotten and counted.");
    public static final Key<Integer> JOIN_MAX_NODES = define("join.max-nodes",
            IntType.range(2, JoinConfig.MAX_NODES_LIMIT), JoinConfig.DEFAULT_MAX_NODES,
            "Nodes the join tells apart, at most (a few hundred bytes each, allocated at start). Events of "
            + "nodes beyond it are ignored and counted (transitwatch_join_ignored{reason=\"node_limit\"}).");
    public static final Key<Integer> JOIN_MAX_PAIRS = define("join.max-pairs",
            IntType.range(1, 1 << 24), JoinConfig.DEFAULT_MAX_PAIRS,
            "(source node, destination node, family) pairs counted at once: about 200 bytes each, allocated "
            + "at start. Only pairs with traffic take a slot; when slots run short, pairs idle for "
            + "join.pair-idle-after give theirs back. Verdicts of a pair without a slot still count "
            + "globally and alert, and are counted in transitwatch_join_pair_slot_misses.");
    public static final Key<Duration> JOIN_PAIR_IDLE_AFTER = define("join.pair-idle-after",
            DurationType.positive(), Duration.ofMinutes(5),
            "How long a pair has had no verdict before its slot may be given to another pair (only when "
            + "fewer than an eighth of join.max-pairs is free).");
    public static final Key<List<String>> JOIN_PACKET_KINDS = define("join.packet-kinds",
            ListType.nonEmpty(ChoiceType.ofNames(packetKindNames(), "packet kind")),
            List.of("SYN", "SYN-ACK", "UDP-NEW", "ICMP-ECHO"),
            "Packet kinds the join keys on. Under Hubble's default monitorAggregation (medium) both nodes "
            + "report these; FIN and RST too, but they are off by default.");
    public static final Key<List<String>> JOIN_MONITOR_AGGREGATION_FLAGS = define(
            "join.monitor-aggregation-flags",
            ListType.nonEmpty(ChoiceType.ofNames(List.of("all", "syn", "fin", "rst", "ack", "psh", "urg", "ece",
                    "cwr"), "Cilium TCP flag names")),
            List.of("all"),
            "The nodes' Cilium monitor-aggregation-flags (Helm bpf.monitorFlags; Helm default all, agent "
            + "default syn,fin,rst). When they include ack and psh, each connection's first ACK and first "
            + "PSH segment per direction are reported on both nodes and the join keys on them too "
            + "(FIRST-ACK, FIRST-PSH: a handshake that completes while its first data segment is lost "
            + "points at MTU / fragmentation); otherwise never.");
    public static final Key<List<Integer>> JOIN_ROUND_TRIP_UDP_PORTS = define("join.round-trip-udp-ports",
            ListType.of(IntType.range(1, 65535)), List.of(53),
            "UDP server ports whose requests are round trips judged on the client's node when the "
            + "destination never reports an arrival (host, API server, world, outside every pod CIDR): "
            + "a request without a reply delivered to the client within the window is NO_REPLY. Empty: "
            + "UDP is not judged this way.");
    public static final Key<List<String>> JOIN_DEPARTURE_POINTS = define("join.departure-points",
            ListType.nonEmpty(ChoiceType.ofNames(observationPointNames(), "flow.TraceObservationPoint names")),
            List.of("TO_NETWORK", "TO_OVERLAY", "TO_STACK"),
            "Observation points (flow.TraceObservationPoint names) where the source node reports a packet "
            + "as sent onto the wire.");
    public static final Key<List<String>> JOIN_ARRIVAL_POINTS = define("join.arrival-points",
            ListType.nonEmpty(ChoiceType.ofNames(observationPointNames(), "flow.TraceObservationPoint names")),
            List.of("TO_ENDPOINT", "TO_PROXY", "FROM_NETWORK", "FROM_OVERLAY"),
            "Observation points where the destination node reports a packet as arrived. TO_PROXY is where it "
            + "reports a packet that an ingress L7 policy (HTTP, Kafka, DNS rules) hands to the proxy instead of "
            + "the pod; the same point on the source node (egress L7 policy) is same-node traffic, ignored. "
            + "FROM_NETWORK and FROM_OVERLAY appear only with monitorAggregation none.");
    public static final Key<List<Integer>> JOIN_EXCLUDED_DESTINATION_IDENTITIES = define(
            "join.excluded-destination-identities",
            ListType.of(IntType.range(0, Integer.MAX_VALUE)), List.of(1, 2, 3, 6, 7, 8, 9, 10),
            "Destination security identities never joined, because Hubble reports no arrival for them: "
            + "host (1), world (2), unmanaged (3: a pod Cilium does not manage), remote-node (6), "
            + "kube-apiserver (7), ingress (8: Cilium Ingress's Envoy, in the host's network namespace), "
            + "world-ipv4 (9), world-ipv6 (10). Attempts to them are judged as round trips on the client's node.");

    // ---- topology: which node a destination IP lives on (DESIGN §3.4) ----

    public static final Key<Map<String, List<IpPrefix>>> TOPOLOGY_POD_CIDRS = define("topology.pod-cidrs",
            CidrMapType.INSTANCE, Map.of(),
            "Pod CIDRs per node (node name: list of CIDRs), consulted first to place a destination IP on "
            + "its node. Without them, placements are learned from the traffic itself.");
    public static final Key<Map<String, List<IpPrefix>>> TOPOLOGY_NODE_ADDRESSES = define(
            "topology.node-addresses", CidrMapType.INSTANCE, Map.of(),
            "The nodes' own addresses (node name: list of IPs or prefixes), so that a connection attempt "
            + "to a node's host stack that gets no reply names that node. They come first; the address each "
            + "node's Hubble listens on (the Peer service in direct mode, Relay's GetNodes in relay mode) and a "
            + "node name that is itself an address are added, live. A destination no node owns is named by "
            + "class: kube-apiserver (identity 7, the reserved:kube-apiserver label, or a CIDR identity at an address "
            + "of the default/kubernetes EndpointSlice), host or world, with the address.");
    public static final Key<Integer> TOPOLOGY_LEARNED_MAX = define("topology.learned-max",
            IntType.range(1, 10_000_000), 100_000,
            "Most IP-to-node placements learned from traffic that are remembered.");
    public static final Key<Duration> TOPOLOGY_LEARNED_TTL = define("topology.learned-ttl",
            DurationType.positive(), Duration.ofMinutes(10),
            "A learned placement not seen again for this long is forgotten (pods move).");

    // ---- kubernetes: placements, node addresses and calibration from the API (issue #14) ----

    public static final Key<Boolean> KUBERNETES_ENABLED = define("kubernetes.enabled",
            BoolType.INSTANCE, false,
            "Watch the Kubernetes API (Nodes, CiliumNodes, CiliumEndpoints, CiliumEndpointSlices, CiliumNodeConfigs, "
            + "the cilium-config ConfigMap and the default/kubernetes EndpointSlice) to place every pod IP on its node "
            + "from the first flow, learn the nodes' and the API server's addresses, and calibrate departure points "
            + "and first-data packet kinds from Cilium's settings. "
            + "Explicitly configured topology.pod-cidrs, join.departure-points and "
            + "join.monitor-aggregation-flags win. The Helm chart turns it on; it needs the chart's RBAC.");
    public static final Key<Path> KUBERNETES_KUBECONFIG = optional("kubernetes.kubeconfig",
            PathType.INSTANCE,
            "A kubeconfig file for running outside the cluster. Unset: the pod's service account in a "
            + "cluster, else KUBECONFIG or ~/.kube/config.");
    public static final Key<String> KUBERNETES_CILIUM_NAMESPACE = define("kubernetes.cilium-namespace",
            TextType.ANY, "kube-system",
            "Namespace of Cilium's cilium-config ConfigMap and CiliumNodeConfigs.");
    public static final Key<String> KUBERNETES_CILIUM_CONFIG_MAP = define("kubernetes.cilium-config-map",
            TextType.ANY, "cilium-config",
            "Name of Cilium's ConfigMap in kubernetes.cilium-namespace (its keys calibrate the join).");
    public static final Key<Duration> KUBERNETES_RESYNC = define("kubernetes.resync",
            DurationType.positive(), Duration.ofMinutes(10),
            "How often the informers re-deliver what they hold (a safety net; changes arrive by watch).");
    public static final Key<Duration> KUBERNETES_SYNC_TIMEOUT = define("kubernetes.sync-timeout",
            DurationType.positive(), Duration.ofSeconds(10),
            "How long start-up waits for the first lists before the Hubble streams start anyway (what is "
            + "missing is retried with backoff and shown in /api/status).");

    // ---- incidents: alerts rolled up per node pair and family (DESIGN §3.6) ----

    public static final Key<Duration> INCIDENTS_RESOLVE_AFTER = define("incidents.resolve-after",
            DurationType.nonNegative(), Duration.ofSeconds(60),
            "An incident resolves once matches have resumed and no loss was seen for this long.");
    public static final Key<Duration> INCIDENTS_UPDATE_INTERVAL = define("incidents.update-interval",
            DurationType.nonNegative(), Duration.ofSeconds(30),
            "A firing incident re-announces its counts at most this often, when they changed.");
    public static final Key<Integer> INCIDENTS_TOP_WORKLOADS = define("incidents.top-workloads",
            IntType.range(1, 100), 5,
            "How many workload pairs an incident lists.");

    // ---- sinks: where alerts and incidents go (DESIGN §6) ----

    public static final Key<List<SinkKind>> SINKS = define("sinks",
            ListType.of(ChoiceType.ofEnum(SinkKind.class)), List.of(SinkKind.STDOUT),
            "Where alerts and incidents go: any of stdout, kafka, slack.");
    public static final Key<Integer> SINKS_QUEUE_CAPACITY = define("sinks.queue-capacity",
            IntType.range(1, 10_000_000), 10_000,
            "Alerts each sink may hold while it is slow or down; past that it drops new ones and counts "
            + "them, and never slows the join or the other sinks.");
    public static final Key<Duration> SINKS_SHUTDOWN_DEADLINE = define("sinks.shutdown-deadline",
            DurationType.nonNegative(), Duration.ofSeconds(10),
            "On shutdown, how long the sinks get to deliver what they hold.");
    public static final Key<StdoutFormat> STDOUT_FORMAT = define("stdout.format",
            ChoiceType.ofEnum(StdoutFormat.class), StdoutFormat.JSON,
            "json: one versioned JSON line per alert or incident change; text: a one-line human summary.");
    public static final Key<StdoutAlerts> STDOUT_ALERTS = define("stdout.alerts",
            ChoiceType.ofEnum(StdoutAlerts.class), StdoutAlerts.SUMMARY,
            "summary: stdout speaks in incidents: every incident change, and per incident the first "
            + "stdout.summary.first-alerts alerts, then one count per verdict every stdout.summary.interval "
            + "(\"+143 more LOST_IN_TRANSIT solwk03 → solwk02 IPv6 over 10 s: SYN 143\"). every: one line per "
            + "alert (per lost tuple). Kafka always gets every alert; Slack always speaks in incidents.");
    public static final Key<Integer> STDOUT_SUMMARY_FIRST_ALERTS = define("stdout.summary.first-alerts",
            IntType.range(0, 1000), 3,
            "With stdout.alerts summary: alerts of an incident's node pair and family printed one by one "
            + "before they are only counted; the count starts again with the pair's next incident.");
    public static final Key<Duration> STDOUT_SUMMARY_INTERVAL = define("stdout.summary.interval",
            DurationType.positive(), Duration.ofSeconds(10),
            "With stdout.alerts summary: how long alerts are counted before the count is printed (also "
            + "printed before the incident's next change and at shutdown).");
    public static final Key<List<String>> KAFKA_BOOTSTRAP_SERVERS = define("kafka.bootstrap-servers",
            ListType.of(TextType.HOST_PORT), List.of(),
            "Kafka brokers to start from, host:port each; needed when sinks includes kafka.");
    public static final Key<String> KAFKA_TOPIC_ALERTS = define("kafka.topic.alerts",
            TextType.ANY, "transitwatch.alerts",
            "Topic for individual alerts (CloudEvents in binary mode, key \"source node|destination node\").");
    public static final Key<String> KAFKA_TOPIC_INCIDENTS = define("kafka.topic.incidents",
            TextType.ANY, "transitwatch.incidents",
            "Topic for incident state changes.");
    public static final Key<String> KAFKA_CLUSTER = define("kafka.cluster",
            TextType.ANY, "default",
            "Name of this Kubernetes cluster (letters, digits, '.', '_', '-'); every record's ce_source is "
            + "/transitwatch/<cluster>, so clusters sharing a topic can be told apart.");
    public static final PassThrough KAFKA_PRODUCER = passThrough("kafka.producer.",
            "Any Kafka producer property, passed to the producer untouched: TLS and SASL "
            + "(security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location), "
            + "compression.type, linger.ms, ... Kafka validates them when the sink starts.",
            "kafka.producer.compression.type: zstd");
    public static final Key<Path> SLACK_WEBHOOK_URL_FILE = optional("slack.webhook-url-file",
            PathType.INSTANCE,
            "File that holds the Slack incoming-webhook URL (a mounted Secret). The URL is never logged.");
    public static final Key<String> SLACK_WEBHOOK_URL_ENV = optional("slack.webhook-url-env",
            TextType.ENV_VAR_NAME,
            "Name of the environment variable that holds the Slack webhook URL (e.g. set from a Secret). "
            + "Set this or slack.webhook-url-file, not both.");
    public static final Key<Duration> SLACK_GROUP_WAIT = define("slack.group-wait",
            DurationType.nonNegative(), Duration.ofSeconds(30),
            "How long a new incident waits for others to group with before the first message "
            + "(Alertmanager's group_wait).");
    public static final Key<Duration> SLACK_GROUP_INTERVAL = define("slack.group-interval",
            DurationType.positive(), Duration.ofMinutes(5),
            "Least time between two messages about a group that changed (group_interval).");
    public static final Key<Duration> SLACK_REPEAT_INTERVAL = define("slack.repeat-interval",
            DurationType.positive(), Duration.ofHours(4),
            "How often an incident that is still firing is posted again (repeat_interval).");

    // ---- scale: transitwatch collect / correlate / incidents on Kafka (DESIGN §8, issue #13) ----

    public static final Key<Integer> SCALE_SHARDS = define("scale.shards",
            IntType.range(1, 4096), 1,
            "transitwatch collect: how many collectors share the nodes; each node belongs to one shard by "
            + "rendezvous hashing of its name.");
    public static final Key<Integer> SCALE_SHARD_INDEX = optional("scale.shard-index",
            IntType.range(0, 4095),
            "transitwatch collect: this collector's shard, 0 to scale.shards - 1. Unset: the StatefulSet "
            + "ordinal at the end of the pod name (HOSTNAME transitwatch-collector-2 is shard 2).");
    public static final Key<String> SCALE_TOPIC_EVENTS = define("scale.topic.events",
            TextType.ANY, "transitwatch.events.v1",
            "Topic of classified join events and watermark heartbeats, collectors to correlators.");
    public static final Key<String> SCALE_TOPIC_OBSERVERS = define("scale.topic.observers",
            TextType.ANY, "transitwatch.observers.v1",
            "Compacted topic of observer status keyed by node (stream up or down, gaps, lost events, clock "
            + "offset) and of each collector's latest heartbeat keyed collector/<shard> (where a restarted "
            + "collector resumes); every correlator reads all of it.");
    public static final Key<String> SCALE_TOPIC_PAIR_COUNTS = define("scale.topic.pair-counts",
            TextType.ANY, "transitwatch.pair-counts.v1",
            "Topic of verdict counts per node pair and interval, correlators to the incident stage.");
    public static final Key<Duration> SCALE_HEARTBEAT_INTERVAL = define("scale.heartbeat-interval",
            DurationType.positive(), Duration.ofMillis(250),
            "How often a collector writes its watermark into every partition of the event topic.");
    public static final Key<Duration> SCALE_COLLECTOR_TIMEOUT = define("scale.collector-timeout",
            DurationType.positive(), Duration.ofSeconds(5),
            "transitwatch correlate: a collector whose heartbeat watermark in a partition falls this far behind "
            + "the newest one there (the other collectors kept writing, it did not) counts as gone there: its "
            + "nodes' windows turn UNVERIFIED, never LOST, and the others' verdicts go on. Measured on the "
            + "collectors' watermarks, so a broker outage or a correlator's lag declares no collector gone "
            + "(after 1 s without the broker's acknowledgement, a collector's heartbeats say since when its records "
            + "are held, and the others' silence counts from the outage's end). At least 2s and "
            + "4 scale.heartbeat-interval, checked at start.");
    public static final Key<String> SCALE_CORRELATOR_GROUP = define("scale.correlator-group",
            TextType.ANY, "transitwatch-correlators",
            "Kafka consumer group of the correlators.");
    public static final Key<String> SCALE_INCIDENT_GROUP = define("scale.incident-group",
            TextType.ANY, "transitwatch-incidents",
            "Kafka consumer group of the incident stage.");
    public static final Key<String> SCALE_MEMBER_ID = optional("scale.member-id",
            TextType.ANY,
            "Static group membership id (group.instance.id) and transactional id prefix of this process. "
            + "Unset: the pod name (HOSTNAME).");
    public static final PassThrough KAFKA_CONSUMER = passThrough("kafka.consumer.",
            "Any Kafka consumer property for transitwatch correlate and incidents, passed untouched: TLS and "
            + "SASL as for kafka.producer.*.",
            "kafka.consumer.security.protocol: SSL");

    // ---- http: /metrics, /healthz, /readyz, the web page (DESIGN §7) ----

    public static final Key<Integer> HTTP_PORT = define("http.port",
            IntType.range(-1, 65535), 8080,
            "Port of /metrics, /healthz, /readyz and the web page; 0 picks a free port, -1 turns HTTP off.");
    public static final Key<String> HTTP_ADDRESS = define("http.address",
            TextType.ANY, "0.0.0.0",
            "Address the HTTP server listens on; 127.0.0.1 keeps it to the pod.");

    private ConfigKeys() {}

    /** Keys and pass-through prefixes, in declaration order. */
    public static List<Declaration> declarations() {
        return Collections.unmodifiableList(DECLARED);
    }

    public static List<Key<?>> keys() {
        return DECLARED.stream().filter(Key.class::isInstance).<Key<?>>map(Key.class::cast).toList();
    }

    public static List<PassThrough> passThroughs() {
        return DECLARED.stream().filter(PassThrough.class::isInstance).map(PassThrough.class::cast).toList();
    }

    public static Optional<Key<?>> byName(String name) {
        return keys().stream().filter(key -> key.name().equals(name)).findFirst();
    }

    private static <T> Key<T> define(String name, ValueType<T> type, T defaultValue, String doc) {
        Key<T> key = new Key<>(name, type, defaultValue, doc);
        DECLARED.add(key);
        return key;
    }

    /** A key that is unset unless configured, for what has no sensible default (files, names). */
    private static <T> Key<T> optional(String name, ValueType<T> type, String doc) {
        return define(name, type, null, doc);
    }

    private static PassThrough passThrough(String prefix, String doc, String example) {
        PassThrough passThrough = new PassThrough(prefix, doc, example);
        DECLARED.add(passThrough);
        return passThrough;
    }

    private static List<String> packetKindNames() {
        return IntStream.range(PacketKind.NONE + 1, PacketKind.COUNT).mapToObj(PacketKind::name).toList();
    }

    /** The names the proto declares, so that a newer Cilium point is one proto update away. */
    private static List<String> observationPointNames() {
        return Stream.of(TraceObservationPoint.values())
                .filter(point -> point != TraceObservationPoint.UNKNOWN_POINT
                        && point != TraceObservationPoint.UNRECOGNIZED)
                .map(Enum::name)
                .toList();
    }
}
