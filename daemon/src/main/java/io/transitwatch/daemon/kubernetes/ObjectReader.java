package io.transitwatch.daemon.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.transitwatch.daemon.kubernetes.CiliumFacts.CiliumNodeFacts;
import io.transitwatch.daemon.kubernetes.CiliumFacts.EndpointFacts;
import io.transitwatch.daemon.kubernetes.CiliumFacts.NodeConfigFacts;
import io.transitwatch.daemon.kubernetes.CiliumFacts.NodeFacts;
import io.transitwatch.daemon.topology.IpPrefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Stateless: reads the fields of k8s-facts.md §1-§2 out of API objects. A field that is absent is
 * simply empty (most are optional: a cluster-pool CiliumNode has no pools, an ENI one no pod CIDR);
 * a field that is present with the wrong shape or an unparsable address throws
 * {@link MalformedObjectException}, which the caller counts before skipping the object.
 */
final class ObjectReader {
    /** Address types that are the node's own (host) addresses; DNS names and Hostname are not addresses. */
    private static final List<String> HOST_ADDRESS_TYPES = List.of("InternalIP", "ExternalIP", "CiliumInternalIP");

    private ObjectReader() {}

    static NodeFacts node(Node node) {
        String name = node.getMetadata().getName();
        List<IpPrefix> cidrs = new ArrayList<>();
        if (node.getSpec() != null) {
            List<String> podCidrs = node.getSpec().getPodCIDRs();
            if (podCidrs != null && !podCidrs.isEmpty()) {
                podCidrs.forEach(cidr -> cidrs.add(prefix(cidr, "Node " + name + " spec.podCIDRs")));
            } else if (node.getSpec().getPodCIDR() != null) {
                cidrs.add(prefix(node.getSpec().getPodCIDR(), "Node " + name + " spec.podCIDR"));
            }
        }
        List<IpPrefix> addresses = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress address : node.getStatus().getAddresses()) {
                if (HOST_ADDRESS_TYPES.contains(address.getType())) {
                    addresses.add(prefix(address.getAddress(), "Node " + name + " status.addresses"));
                }
            }
        }
        Map<String, String> labels = node.getMetadata().getLabels();
        return new NodeFacts(name, labels == null ? Map.of() : labels, cidrs, addresses);
    }

    static CiliumNodeFacts ciliumNode(GenericKubernetesResource resource) {
        String name = resource.getMetadata().getName();
        String where = "CiliumNode " + name;
        Map<String, Object> spec = map(resource.getAdditionalProperties().get("spec"), where + " spec");
        Map<String, Object> ipam = map(spec.get("ipam"), where + " spec.ipam");
        List<IpPrefix> podCidrs = new ArrayList<>();
        for (Object cidr : list(ipam.get("podCIDRs"), where + " spec.ipam.podCIDRs")) {
            podCidrs.add(prefix(text(cidr, where + " spec.ipam.podCIDRs"), where + " spec.ipam.podCIDRs"));
        }
        List<IpPrefix> poolCidrs = new ArrayList<>();
        Map<String, Object> pools = map(ipam.get("pools"), where + " spec.ipam.pools");
        for (Object allocated : list(pools.get("allocated"), where + " spec.ipam.pools.allocated")) {
            Map<String, Object> pool = map(allocated, where + " spec.ipam.pools.allocated[]");
            for (Object cidr : list(pool.get("cidrs"), where + " spec.ipam.pools.allocated[].cidrs")) {
                poolCidrs.add(prefix(text(cidr, where + " pool cidr"), where + " spec.ipam.pools.allocated[].cidrs"));
            }
        }
        List<IpPrefix> addresses = new ArrayList<>();
        for (Object entry : list(spec.get("addresses"), where + " spec.addresses")) {
            Map<String, Object> address = map(entry, where + " spec.addresses[]");
            if (HOST_ADDRESS_TYPES.contains(String.valueOf(address.get("type")))) {
                addresses.add(prefix(text(address.get("ip"), where + " spec.addresses[].ip"), where + " spec.addresses"));
            }
        }
        Map<String, Object> health = map(spec.get("health"), where + " spec.health");
        for (String family : List.of("ipv4", "ipv6")) {
            if (health.get(family) != null) {
                addresses.add(prefix(text(health.get(family), where + " spec.health"), where + " spec.health." + family));
            }
        }
        return new CiliumNodeFacts(name, podCidrs, poolCidrs, addresses);
    }

    /**
     * A CiliumEndpoint's addresses and node IP ({@code status.networking}); null when it has none yet
     * (an endpoint being created), which is not malformed.
     */
    static EndpointFacts endpoint(GenericKubernetesResource resource) {
        String key = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
        String where = "CiliumEndpoint " + key;
        Map<String, Object> status = map(resource.getAdditionalProperties().get("status"), where + " status");
        return networking(key, map(status.get("networking"), where + " status.networking"), where + " status.networking");
    }

    /**
     * A CiliumEndpointSlice's endpoints (cluster-scoped, {@code cilium.io/v2alpha1}: {@code namespace}
     * and {@code endpoints[]}, each with a CiliumEndpoint's {@code networking}). An endpoint that
     * cannot be read goes to {@code skipped} and the others are kept: one bad entry must not unplace
     * the hundred pods batched with it. Endpoints without a node IP yet are left out.
     */
    static List<EndpointFacts> endpointSlice(GenericKubernetesResource resource,
            Consumer<MalformedObjectException> skipped) {
        String where = "CiliumEndpointSlice " + resource.getMetadata().getName();
        Map<String, Object> fields = resource.getAdditionalProperties();
        Object namespace = fields.get("namespace");
        String prefix = namespace == null ? "" : text(namespace, where + " namespace") + "/";
        List<EndpointFacts> result = new ArrayList<>();
        List<?> endpoints = list(fields.get("endpoints"), where + " endpoints");
        for (int i = 0; i < endpoints.size(); i++) {
            try {
                Map<String, Object> endpoint = map(endpoints.get(i), where + " endpoints[" + i + "]");
                String key = prefix + (endpoint.get("name") == null ? "#" + i
                        : text(endpoint.get("name"), where + " endpoints[" + i + "].name"));
                EndpointFacts facts = networking(key, map(endpoint.get("networking"), where + " endpoint " + key
                        + " networking"), where + " endpoint " + key + " networking");
                if (facts != null) {
                    result.add(facts);
                }
            } catch (MalformedObjectException e) {
                skipped.accept(e);
            }
        }
        return result;
    }

    /** An endpoint's {@code networking}: addresses and the node IP; null without a node IP. */
    private static EndpointFacts networking(String key, Map<String, Object> networking, String where) {
        if (networking.get("node") == null) {
            return null;
        }
        IpPrefix nodeIp = prefix(text(networking.get("node"), where + ".node"), where + ".node");
        List<IpPrefix> addresses = new ArrayList<>();
        for (Object entry : list(networking.get("addressing"), where + ".addressing")) {
            Map<String, Object> pair = map(entry, where + ".addressing[]");
            for (String family : List.of("ipv4", "ipv6")) {
                Object ip = pair.get(family);
                if (ip != null && !String.valueOf(ip).isEmpty()) {
                    IpPrefix address = prefix(text(ip, where + " addressing." + family), where + " addressing." + family);
                    if (address.length() != 128) {
                        throw new MalformedObjectException(where + " addressing." + family + " '" + ip
                                + "' is a prefix, not an address");
                    }
                    addresses.add(address);
                }
            }
        }
        return new EndpointFacts(key, addresses, nodeIp);
    }

    /**
     * The addresses of an EndpointSlice of the {@code default/kubernetes} Service: where the API
     * server answers (its endpoint reconciler writes them), ready or not, since an API server that is
     * failing is the one whose round trips most need its name. FQDN slices carry no address.
     */
    static List<IpPrefix> apiServerSlice(EndpointSlice slice) {
        String where = "EndpointSlice " + slice.getMetadata().getNamespace() + "/" + slice.getMetadata().getName();
        List<IpPrefix> addresses = new ArrayList<>();
        if ("FQDN".equals(slice.getAddressType()) || slice.getEndpoints() == null) {
            return addresses;
        }
        for (Endpoint endpoint : slice.getEndpoints()) {
            if (endpoint == null || endpoint.getAddresses() == null) {
                continue;
            }
            for (String text : endpoint.getAddresses()) {
                IpPrefix address = prefix(text, where + " endpoints[].addresses");
                if (address.length() != 128) {
                    throw new MalformedObjectException(where + " endpoints[].addresses '" + text
                            + "' is a prefix, not an address");
                }
                addresses.add(address);
            }
        }
        return addresses;
    }

    static NodeConfigFacts nodeConfig(GenericKubernetesResource resource) {
        String name = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
        String where = "CiliumNodeConfig " + name;
        Map<String, Object> spec = map(resource.getAdditionalProperties().get("spec"), where + " spec");
        Map<String, Object> selector = map(spec.get("nodeSelector"), where + " spec.nodeSelector");
        Map<String, String> matchLabels = new LinkedHashMap<>();
        map(selector.get("matchLabels"), where + " matchLabels")
                .forEach((key, value) -> matchLabels.put(key, text(value, where + " matchLabels")));
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        for (Object entry : list(selector.get("matchExpressions"), where + " matchExpressions")) {
            Map<String, Object> expression = map(entry, where + " matchExpressions[]");
            List<String> values = new ArrayList<>();
            list(expression.get("values"), where + " matchExpressions[].values")
                    .forEach(value -> values.add(text(value, where + " values")));
            requirements.add(new LabelSelector.Requirement(text(expression.get("key"), where + " key"),
                    text(expression.get("operator"), where + " operator"), values));
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        map(spec.get("defaults"), where + " spec.defaults")
                .forEach((key, value) -> defaults.put(key, text(value, where + " spec.defaults." + key)));
        return new NodeConfigFacts(name, new LabelSelector(matchLabels, requirements), defaults);
    }

    private static IpPrefix prefix(String text, String where) {
        try {
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedObjectException(where + ": " + e.getMessage());
        }
    }

    private static String text(Object value, String where) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        throw new MalformedObjectException(where + ": expected a string, found " + describe(value));
    }

    @SuppressWarnings("unchecked") // JSON objects deserialize to Map<String, Object>
    private static Map<String, Object> map(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?>) {
            return (Map<String, Object>) value;
        }
        throw new MalformedObjectException(where + ": expected an object, found " + describe(value));
    }

    private static List<?> list(Object value, String where) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> items) {
            return items;
        }
        throw new MalformedObjectException(where + ": expected a list, found " + describe(value));
    }

    private static String describe(Object value) {
        return value == null ? "nothing" : value.getClass().getSimpleName() + " '" + value + "'";
    }
}
