package io.transitwatch.daemon.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A copy of the sinks module's SlackStub (no test-jar is shared between modules). A real HTTP server on 127.0.0.1 standing in for Slack's webhook endpoint: records each request
 * with the (manual) clock's time at arrival, and answers from a script (default: 200 "ok").
 */
public final class SlackStub implements AutoCloseable {
    /** One received request. */
    public record Request(Instant at, String path, String body) {
        public JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Slack got a body that is not JSON: " + body, e);
            }
        }
    }

    /** One scripted answer. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Clock clock;
    private final String secretPath = "/services/T0TRANSIT/B0WATCH/" + UUID.randomUUID().toString().replace("-", "");
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hang;

    public SlackStub(Clock clock) throws IOException {
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant at = clock.instant();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(at, exchange.getRequestURI().getPath(), body));
        if (hang) {
            try {
                release.await(); // a Slack that accepts the connection and never answers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Answer answer = script.poll();
        if (answer == null) {
            answer = Answer.of(200, "ok");
        }
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The webhook URL, which contains the secret path. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + secretPath;
    }

    public String secretPath() {
        return secretPath;
    }

    public void answer(Answer... answers) {
        script.addAll(List.of(answers));
    }

    /** From now on, every request hangs until {@link #close()}. */
    public void hang() {
        hang = true;
    }

    public List<Request> requests() {
        return requests;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
