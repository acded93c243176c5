package dev.tune.core.config;

import java.util.List;
import java.util.Optional;

/** A YAML value that remembers where it was written, so problems can point at it. */
sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Sequence, YamlNode.Mapping {
  Location location();

  /** What a problem message calls this kind of node. */
  String kindName();

  /**
   * A scalar.
   *
   * @param text the text as YAML delivered it, after environment substitution
   * @param kind the type YAML gave the scalar
   * @param fromEnvironment whether the text contains the value of an environment variable, and
   *     therefore must not be shown
   */
  record Scalar(Location location, String text, ScalarKind kind, boolean fromEnvironment)
      implements YamlNode {
    @Override
    public String kindName() {
      return switch (kind) {
        case NULL -> "an empty value";
        case BOOLEAN -> "a boolean";
        case INTEGER -> "an integer";
        case FLOAT -> "a number";
        case STRING -> "a string";
      };
    }

    /** The text, or {@code ****} when it holds an environment variable's value. */
    String shown() {
      return fromEnvironment ? "****" : text;
    }
  }

  /** A list. */
  record Sequence(Location location, List<YamlNode> items) implements YamlNode {
    @Override
    public String kindName() {
      return "a list";
    }
  }

  /** A mapping, in file order. */
  record Mapping(Location location, List<Entry> entries) implements YamlNode {
    @Override
    public String kindName() {
      return "a mapping";
    }

    Optional<Entry> entry(String key) {
      return entries.stream().filter(e -> e.key().equals(key)).findFirst();
    }
  }

  /** A key of a mapping with its value. */
  record Entry(String key, Location keyLocation, YamlNode value) {}

  /** The types a YAML scalar resolves to. */
  enum ScalarKind {
    NULL,
    BOOLEAN,
    INTEGER,
    FLOAT,
    STRING
  }
}
