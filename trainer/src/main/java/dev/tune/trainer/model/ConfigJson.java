package dev.tune.trainer.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Typed reads from one JSON object of a Hugging Face config file, with errors that name the file
 * and the field. JSON {@code null} counts as absent, as transformers treats it.
 */
final class ConfigJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final JsonNode node;
  private final String source;

  private ConfigJson(JsonNode node, String source) {
    this.node = node;
    this.source = source;
  }

  static ConfigJson read(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static ConfigJson parse(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ModelConfigException(
          source + " is not valid JSON: " + e.getOriginalMessage(),
          "check that the file is the config transformers saved, not a truncated copy",
          e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelConfigException(
          source + " must hold a JSON object",
          "check that the file is the config transformers saved");
    }
    return new ConfigJson(root, source);
  }

  String source() {
    return source;
  }

  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  /** Whether the field is written at all, even as {@code null}. */
  boolean hasKey(String field) {
    return node.has(field);
  }

  /** The first present field among {@code names}, or empty. */
  private Optional<Named> first(String... names) {
    for (String name : names) {
      if (has(name)) {
        return Optional.of(new Named(name, node.get(name)));
      }
    }
    return Optional.empty();
  }

  private record Named(String name, JsonNode value) {}

  int requiredInt(String... names) {
    return optionalInt(names)
        .orElseThrow(
            () ->
                new ModelConfigException(
                    source + " lacks \"" + names[0] + "\"; it is required for this model",
                    "add \"" + names[0] + "\" as the model's transformers config has it"));
  }

  int intOr(int fallback, String... names) {
    return optionalInt(names).orElse(fallback);
  }

  OptionalInt optionalInt(String... names) {
    Optional<Named> f = first(names);
    if (f.isEmpty()) {
      return OptionalInt.empty();
    }
    JsonNode v = f.get().value();
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw wrongType(f.get(), "an integer");
    }
    return OptionalInt.of(v.intValue());
  }

  double doubleOr(double fallback, String... names) {
    return optionalDouble(names).orElse(fallback);
  }

  OptionalDouble optionalDouble(String... names) {
    Optional<Named> f = first(names);
    if (f.isEmpty()) {
      return OptionalDouble.empty();
    }
    if (!f.get().value().isNumber()) {
      throw wrongType(f.get(), "a number");
    }
    return OptionalDouble.of(f.get().value().doubleValue());
  }

  double requiredDouble(String name) {
    return optionalDouble(name)
        .orElseThrow(
            () ->
                new ModelConfigException(
                    source + " lacks \"" + name + "\"; it is required here",
                    "add \"" + name + "\" as transformers documents it for this setting"));
  }

  boolean boolOr(boolean fallback, String... names) {
    Optional<Named> f = first(names);
    if (f.isEmpty()) {
      return fallback;
    }
    if (!f.get().value().isBoolean()) {
      throw wrongType(f.get(), "true or false");
    }
    return f.get().value().booleanValue();
  }

  Optional<String> optionalString(String... names) {
    Optional<Named> f = first(names);
    if (f.isEmpty()) {
      return Optional.empty();
    }
    if (!f.get().value().isTextual()) {
      throw wrongType(f.get(), "a string");
    }
    return Optional.of(f.get().value().textValue());
  }

  /** An integer or a list of integers (as {@code eos_token_id} may be); empty when absent. */
  List<Integer> intOrIntList(String name) {
    Optional<Named> f = first(name);
    List<Integer> out = new ArrayList<>();
    if (f.isEmpty()) {
      return out;
    }
    JsonNode v = f.get().value();
    if (v.isIntegralNumber()) {
      out.add(v.intValue());
      return out;
    }
    if (v.isArray()) {
      for (JsonNode e : v) {
        if (!e.isIntegralNumber()) {
          throw wrongType(f.get(), "an integer or a list of integers");
        }
        out.add(e.intValue());
      }
      return out;
    }
    throw wrongType(f.get(), "an integer or a list of integers");
  }

  List<String> stringList(String name) {
    Optional<Named> f = first(name);
    List<String> out = new ArrayList<>();
    if (f.isEmpty()) {
      return out;
    }
    if (!f.get().value().isArray()) {
      throw wrongType(f.get(), "a list of strings");
    }
    for (JsonNode e : f.get().value()) {
      if (!e.isTextual()) {
        throw wrongType(f.get(), "a list of strings");
      }
      out.add(e.textValue());
    }
    return out;
  }

  /** A nested object, read with the same rules; empty when absent or null. */
  Optional<ConfigJson> object(String name) {
    Optional<Named> f = first(name);
    if (f.isEmpty()) {
      return Optional.empty();
    }
    if (!f.get().value().isObject()) {
      throw wrongType(f.get(), "a JSON object");
    }
    return Optional.of(new ConfigJson(f.get().value(), source + " \"" + name + "\""));
  }

  private ModelConfigException wrongType(Named f, String expected) {
    return new ModelConfigException(
        source + ": \"" + f.name() + "\" must be " + expected + ", got " + f.value(),
        "write \"" + f.name() + "\" as " + expected);
  }
}
