package io.transitwatch.daemon.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread-safe: the JSON Schemas of {@code docs/schemas/} in this repository, read from the files
 * (not from a copy), and a check of a JSON line against the schema its {@code schema} field names.
 */
public final class JsonSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> LOADED = new ConcurrentHashMap<>();

    private JsonSchemas() {}

    /** {@code <repository>/docs/schemas}, found above the working directory as Maven runs the tests. */
    public static Path directory() {
        Path directory = RepositoryFiles.file("docs/schemas");
        if (!Files.isDirectory(directory)) {
            throw new AssertionError(directory + " is not a directory");
        }
        return directory;
    }

    /** The file of a schema name: {@code transitwatch.alert/v1} is {@code transitwatch.alert.v1.schema.json}. */
    public static Path file(String schemaName) {
        return directory().resolve(schemaName.replace('/', '.') + ".schema.json");
    }

    /** The errors of {@code line} against the schema its {@code schema} field names; empty when valid. */
    public static List<String> errors(String line) {
        String name;
        try {
            name = JSON.readTree(line).path("schema").asText();
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        return errors(name, line);
    }

    /** The errors of {@code line} against schema {@code schemaName}; empty when valid. */
    public static List<String> errors(String schemaName, String line) {
        Schema schema = LOADED.computeIfAbsent(schemaName, JsonSchemas::load);
        List<Error> errors = schema.validate(line, InputFormat.JSON);
        return errors.stream().map(error -> schemaName + ": " + error).toList();
    }

    /** The schema document itself. */
    public static JsonNode document(String schemaName) {
        try {
            return JSON.readTree(Files.readString(file(schemaName)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema load(String schemaName) {
        Path file = file(schemaName);
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("no schema " + file + " for \"" + schemaName + "\"");
        }
        try {
            return REGISTRY.getSchema(Files.readString(file), InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
