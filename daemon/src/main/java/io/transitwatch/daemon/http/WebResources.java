package io.transitwatch.daemon.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Immutable after construction; served from any HTTP thread.
 *
 * <p>The web page: an HTML document, its style sheet and its script, read once from the classpath
 * ({@code io/transitwatch/daemon/http/web/}). Self-contained: nothing is loaded from elsewhere, and
 * the Content-Security-Policy says so to the browser.
 */
final class WebResources {
    /** Nothing but this origin; no inline script or style. */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** A file of the page. */
    record Resource(String contentType, byte[] body) {}

    /** URL path to file. */
    static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/app.js", "app.js",
            "/style.css", "style.css",
            "/favicon.svg", "favicon.svg");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    private WebResources() {}

    /** Every file of the page by URL path; a missing file is a packaging bug and fails at start. */
    static Map<String, Resource> loadAll() {
        Map<String, Resource> page = new HashMap<>();
        FILES.forEach((path, file) -> page.put(path, load(file)));
        return page;
    }

    private static Resource load(String file) {
        String path = "web/" + file;
        try (InputStream in = WebResources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("web page resource missing from the classpath: " + path);
            }
            return new Resource(TYPES.get(file.substring(file.lastIndexOf('.') + 1)), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading web page resource " + path, e);
        }
    }
}
