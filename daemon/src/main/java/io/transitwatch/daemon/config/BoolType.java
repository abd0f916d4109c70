package io.transitwatch.daemon.config;

import java.util.Locale;

/** {@code true} or {@code false}, and nothing else: a typo must not silently mean "off". */
final class BoolType implements ValueType<Boolean> {
    static final BoolType INSTANCE = new BoolType();

    private BoolType() {}

    @Override
    public String describe() {
        return "bool";
    }

    @Override
    public Boolean parse(Object given) throws InvalidValue {
        if (given instanceof Boolean) {
            return (Boolean) given;
        }
        String text = InvalidValue.scalarText(given, "true or false", "write true or false");
        switch (text.toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw InvalidValue.of(given, "is not true or false; write true or false");
        }
    }

    @Override
    public Object toPlain(Boolean value) {
        return value;
    }
}
