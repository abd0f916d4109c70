package io.transitwatch.daemon.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Thread-safe (stateless): used by every handler on the HTTP threads.
 *
 * <p>The few things every response does the same way: only GET and HEAD are served (405
 * otherwise), HEAD gets the headers without a body, nothing is cached, and a handler that throws
 * answers 500 instead of leaving the client hanging.
 */
final class Exchanges {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json; charset=utf-8";
    private static final System.Logger LOG = System.getLogger(Exchanges.class.getName());

    /** What a read-only endpoint computes for one request. */
    @FunctionalInterface
    interface Responder {
        Response respond(HttpExchange exchange) throws IOException;
    }

    /** A complete response: status, content type and body. */
    record Response(int status, String contentType, byte[] body) {
        static Response text(int status, String text) {
            return new Response(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
        }

        static Response json(byte[] body) {
            return new Response(200, JSON, body);
        }
    }

    private Exchanges() {}

    /** A handler that serves {@code responder} for GET and HEAD on exactly {@code path}. */
    static HttpHandler readOnly(String path, Responder responder) {
        return exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                if (!exchange.getRequestURI().getPath().equals(path)) {
                    send(exchange, Response.text(404, "not found: " + exchange.getRequestURI().getPath() + "\n"));
                } else if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(exchange, Response.text(405, "method not allowed: " + method + "\n"));
                } else {
                    send(exchange, respond(responder, exchange));
                }
            }
        };
    }

    private static Response respond(Responder responder, HttpExchange exchange) {
        try {
            return responder.respond(exchange);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "http " + exchange.getRequestURI().getPath() + ": " + e, e);
            return Response.text(500, "internal error: " + e.getClass().getSimpleName() + "\n");
        }
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.status(), head ? -1 : response.body().length == 0 ? -1
                : response.body().length);
        if (!head && response.body().length > 0) {
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(response.body());
            }
        }
    }
}
