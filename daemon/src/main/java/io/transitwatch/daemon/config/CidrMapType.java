package io.transitwatch.daemon.config;

import io.transitwatch.daemon.topology.IpPrefix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pod CIDRs per node: node name to a list of IPv4 or IPv6 prefixes. In YAML a map; in an
 * environment variable or a flag {@code solwk01=10.101.224.0/24,fd00:101:224:1::/64;solwk02=...}.
 * Node names stay whole even when they contain dots ({@code ip-10-0-0-1.ec2.internal}).
 */
final class CidrMapType implements ValueType<Map<String, List<IpPrefix>>> {
    static final CidrMapType INSTANCE = new CidrMapType();

    private static final String FIX = "write it like {solwk01: [10.101.224.0/24, \"fd00:101:224:1::/64\"]}"
            + " or solwk01=10.101.224.0/24,fd00:101:224:1::/64;solwk02=...";

    private CidrMapType() {}

    @Override
    public String describe() {
        return "map of node to list of CIDRs";
    }

    @Override
    public Map<String, List<IpPrefix>> parse(Object given) throws InvalidValue {
        Map<?, ?> byNode = given instanceof Map ? (Map<?, ?>) given : fromText(given);
        Map<String, List<IpPrefix>> prefixes = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<?, ?> node : byNode.entrySet()) {
            String name = String.valueOf(node.getKey()).trim();
            List<IpPrefix> nodePrefixes = new ArrayList<>();
            for (Object cidr : cidrs(node.getValue(), name, problems)) {
                try {
                    nodePrefixes.add(IpPrefix.parse(String.valueOf(cidr)));
                } catch (IllegalArgumentException e) {
                    problems.add("node " + name + ": " + e.getMessage());
                }
            }
            prefixes.put(name, List.copyOf(nodePrefixes));
        }
        if (!problems.isEmpty()) {
            throw new InvalidValue(problems);
        }
        return Collections.unmodifiableMap(prefixes);
    }

    @Override
    public Object toPlain(Map<String, List<IpPrefix>> value) {
        Map<String, List<String>> plain = new LinkedHashMap<>();
        value.forEach((node, prefixes) -> plain.put(node, prefixes.stream().map(IpPrefix::toString).toList()));
        return plain;
    }

    private static Map<String, Object> fromText(Object given) throws InvalidValue {
        String text = InvalidValue.scalarText(given, "a map of node to CIDRs", FIX);
        Map<String, Object> byNode = new LinkedHashMap<>();
        for (String entry : text.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw InvalidValue.of(given, "is not a map of node to CIDRs; " + FIX);
            }
            byNode.put(entry.substring(0, equals).trim(), entry.substring(equals + 1));
        }
        return byNode;
    }

    private static List<?> cidrs(Object value, String node, List<String> problems) {
        if (value instanceof List) {
            return (List<?>) value;
        }
        if (value instanceof Map || value == null) {
            problems.add("node " + node + ": " + InvalidValue.quote(value) + " is not a list of CIDRs; " + FIX);
            return List.of();
        }
        List<String> cidrs = new ArrayList<>();
        for (String piece : String.valueOf(value).split(",")) {
            if (!piece.isBlank()) {
                cidrs.add(piece.trim());
            }
        }
        return cidrs;
    }
}
