package io.transitwatch.daemon.kubernetes;

import java.util.List;
import java.util.Map;

/**
 * Immutable. A Kubernetes label selector ({@code matchLabels} and {@code matchExpressions} with In,
 * NotIn, Exists, DoesNotExist), as a CiliumNodeConfig's {@code spec.nodeSelector} uses it; an empty
 * selector selects every node, as in Kubernetes.
 */
record LabelSelector(Map<String, String> matchLabels, List<Requirement> expressions) {
    LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        expressions = List.copyOf(expressions);
    }

    /** One {@code matchExpressions} entry. */
    record Requirement(String key, String operator, List<String> values) {
        Requirement {
            values = List.copyOf(values);
            if (!List.of("In", "NotIn", "Exists", "DoesNotExist").contains(operator)) {
                throw new MalformedObjectException("unknown label selector operator '" + operator + "'");
            }
        }

        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                default -> value == null;
            };
        }
    }

    boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> wanted : matchLabels.entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        return expressions.stream().allMatch(requirement -> requirement.matches(labels));
    }
}
