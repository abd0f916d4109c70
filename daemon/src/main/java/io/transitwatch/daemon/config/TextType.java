package io.transitwatch.daemon.config;

import java.util.regex.Pattern;

/** Non-empty text, optionally in a shape the daemon will rely on later (an address, a variable name). */
final class TextType implements ValueType<String> {
    static final TextType ANY = new TextType("string", text -> null);
    static final TextType HOST_PORT = new TextType("host:port", TextType::hostPortProblem);
    static final TextType NODE_ADDRESS = new TextType("name=host:port", TextType::nodeAddressProblem);
    /** Names an environment variable; {@link ConfigLoader} remembers its value for {@link Settings}. */
    static final TextType ENV_VAR_NAME = new TextType("environment variable name", TextType::envVarNameProblem);

    private static final Pattern ENV_VAR = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Returns what is wrong with a text and how to fix it, or null when it is fine. */
    private interface Check {
        String problem(String text);
    }

    private final String describe;
    private final Check check;

    private TextType(String describe, Check check) {
        this.describe = describe;
        this.check = check;
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public String parse(Object given) throws InvalidValue {
        String text = InvalidValue.scalarText(given, "a " + describe, "write a single " + describe);
        if (text.isEmpty()) {
            throw InvalidValue.of(given, "is empty; write a " + describe + " or leave the key out");
        }
        String problem = check.problem(text);
        if (problem != null) {
            throw InvalidValue.of(given, problem);
        }
        return text;
    }

    @Override
    public Object toPlain(String value) {
        return value;
    }

    private static String hostPortProblem(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            return "is not host:port; write it like hubble-relay.kube-system.svc.cluster.local:80";
        }
        String host = text.substring(0, colon);
        if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))) {
            return "has an IPv6 address without brackets; write it like [fd00::1]:4244";
        }
        String port = text.substring(colon + 1);
        if (!port.chars().allMatch(Character::isDigit) || port.length() > 5 || Integer.parseInt(port) < 1
                || Integer.parseInt(port) > 65535) {
            return "needs a port between 1 and 65535 after the last colon";
        }
        return null;
    }

    private static String nodeAddressProblem(String text) {
        int equals = text.indexOf('=');
        if (equals <= 0) {
            return "is not name=host:port; write it like solwk01=10.0.0.21:4244";
        }
        String addressProblem = hostPortProblem(text.substring(equals + 1));
        return addressProblem == null ? null : "has an address that " + addressProblem;
    }

    private static String envVarNameProblem(String text) {
        return ENV_VAR.matcher(text).matches() ? null
                : "is not an environment variable name; write it like SLACK_WEBHOOK_URL";
    }
}
