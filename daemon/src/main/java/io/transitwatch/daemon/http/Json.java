package io.transitwatch.daemon.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Thread-safe (stateless): writes one JSON document into memory with Jackson's streaming generator. */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** What writes the document's content. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    private Json() {}

    static byte[] write(Body body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 * 1024);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            body.write(json);
        }
        return out.toByteArray();
    }
}
