package dev.tune.core.config;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.InvalidArtifactUriException;
import dev.tune.core.config.YamlNode.Entry;
import dev.tune.core.config.YamlNode.Mapping;
import dev.tune.core.config.YamlNode.Scalar;
import dev.tune.core.config.YamlNode.ScalarKind;
import dev.tune.core.config.YamlNode.Sequence;
import dev.tune.core.error.InvalidSpecException;
import dev.tune.core.error.SpecViolation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads one mapping of {@code tune.yaml} into typed values. Every key it is asked for becomes a
 * known key; what is left over at the end is reported as unknown. A wrong value becomes a problem
 * at its position and reads as absent, so that reading goes on and every problem of the file is
 * reported in one go.
 *
 * <p>A section that is absent from the file reads as empty, so its defaults apply and its keys
 * still count as known (for suggestions in other sections).
 */
final class Section {
  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  private final Reading reading;
  private final String path;
  private final Optional<Mapping> node;
  private final Location location;
  private final Set<String> known = new LinkedHashSet<>();

  Section(Reading reading, String path, Optional<Mapping> node, Location location) {
    this.reading = reading;
    this.path = path;
    this.node = node;
    this.location = location;
    reading.register(this);
  }

  String path() {
    return path;
  }

  Set<String> knownKeys() {
    return known;
  }

  Optional<Mapping> node() {
    return node;
  }

  /** Where the section starts, or where its nearest present ancestor does. */
  Location location() {
    return location;
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Whether the file sets {@code key} to a non-empty value. */
  boolean has(String key) {
    return value(key).isPresent();
  }

  /** The value of {@code key}; empty when absent or written as an empty value. */
  Optional<YamlNode> value(String key) {
    known.add(key);
    return node.flatMap(m -> m.entry(key))
        .map(Entry::value)
        .filter(v -> !(v instanceof Scalar s && s.kind() == ScalarKind.NULL));
  }

  /** Where {@code key} (a key, or a dotted path below this section) is written, or the section. */
  Location locationOf(String key) {
    Optional<YamlNode> current = node.map(m -> m);
    Location found = location;
    for (String part : key.split("\\.")) {
      if (current.isEmpty() || !(current.get() instanceof Mapping m)) {
        return found;
      }
      Optional<Entry> entry = m.entry(part);
      if (entry.isEmpty()) {
        return found;
      }
      found = entry.get().value().location();
      current = entry.map(Entry::value);
    }
    return found;
  }

  /** The mapping below {@code key} as a section; absent or mistyped reads as empty. */
  Section section(String key) {
    Optional<YamlNode> value = value(key);
    Optional<Mapping> mapping = Optional.empty();
    Location at = location;
    if (value.isPresent()) {
      at = node.flatMap(m -> m.entry(key)).map(Entry::keyLocation).orElse(location);
      if (value.get() instanceof Mapping m) {
        mapping = Optional.of(m);
      } else {
        wrongType(key, value.get(), "a mapping of keys to values");
      }
    }
    return new Section(reading, pathOf(key), mapping, at);
  }

  Optional<String> string(String key) {
    return value(key).flatMap(v -> scalar(key, v, "a string")).map(Scalar::text);
  }

  Optional<Integer> integer(String key) {
    return wholeNumber(
            key,
            Integer.MIN_VALUE,
            Integer.MAX_VALUE,
            "an integer between -2147483648 and 2147483647")
        .map(Long::intValue);
  }

  Optional<Long> longInteger(String key) {
    return wholeNumber(key, Long.MIN_VALUE, Long.MAX_VALUE, "a 64-bit integer");
  }

  /** An integer scalar within [min, max]; out of range is reported as too large. */
  private Optional<Long> wholeNumber(String key, long min, long max, String range) {
    return value(key)
        .flatMap(v -> scalar(key, v, "an integer"))
        .flatMap(
            s -> {
              String text = s.text().strip();
              if (!INTEGER.matcher(text).matches()) {
                problem(key, s, "is not an integer", "an integer");
                return Optional.empty();
              }
              try {
                long parsed = Long.parseLong(text);
                if (parsed >= min && parsed <= max) {
                  return Optional.of(parsed);
                }
              } catch (NumberFormatException e) {
                // beyond 64 bits: reported below like any other out-of-range value
              }
              problem(key, s, "is too large", range);
              return Optional.empty();
            });
  }

  Optional<Double> number(String key) {
    return value(key)
        .flatMap(v -> scalar(key, v, "a number"))
        .flatMap(
            s -> {
              String text = s.text().strip();
              if (NUMBER.matcher(text).matches()) {
                return Optional.of(Double.parseDouble(text));
              }
              problem(key, s, "is not a number", "a number such as 0.0002 or 2e-4");
              return Optional.empty();
            });
  }

  Optional<Boolean> bool(String key) {
    return value(key)
        .flatMap(v -> scalar(key, v, "true or false"))
        .flatMap(
            s -> {
              String text = s.text().strip().toLowerCase(Locale.ROOT);
              // YAML 1.1, which Jackson follows, also reads yes/no/on/off as booleans.
              if (s.kind() == ScalarKind.BOOLEAN || text.equals("true") || text.equals("false")) {
                return Optional.of(text.equals("true") || text.equals("yes") || text.equals("on"));
              }
              problem(key, s, "is not a boolean", "true or false");
              return Optional.empty();
            });
  }

  /**
   * One of an enum's constants, spelled in lower case ({@code ADAMW_8BIT} is {@code adamw_8bit}).
   */
  <E extends Enum<E>> Optional<E> choice(String key, Class<E> type) {
    return value(key)
        .flatMap(v -> scalar(key, v, "one of " + allowedIds(type)))
        .flatMap(
            s -> {
              for (E constant : type.getEnumConstants()) {
                if (id(constant).equals(s.text().strip())) {
                  return Optional.of(constant);
                }
              }
              List<String> ids = ids(type);
              reading
                  .problems()
                  .add(
                      pathOf(key),
                      s.location(),
                      Optional.of(s.shown()),
                      "is not an allowed value",
                      String.join(", ", ids),
                      Suggestions.closest(s.text(), ids));
              return Optional.empty();
            });
  }

  Optional<ArtifactUri> uri(String key) {
    return value(key)
        .flatMap(v -> scalar(key, v, InvalidArtifactUriException.ACCEPTED_FORMS))
        .flatMap(
            s -> {
              try {
                return Optional.of(ArtifactUri.parse(s.text(), reading.baseDir()));
              } catch (InvalidArtifactUriException e) {
                problem(
                    key,
                    s,
                    "is not a valid artifact URI: " + e.reason(),
                    InvalidArtifactUriException.ACCEPTED_FORMS);
                return Optional.empty();
              }
            });
  }

  /** A path, resolved against the directory of the file; a leading {@code ~/} is the home. */
  Optional<Path> path(String key) {
    return string(key)
        .map(
            p ->
                p.equals("~") || p.startsWith("~/")
                    ? Path.of(System.getProperty("user.home"))
                        .resolve(p.substring(1).replaceFirst("^/", ""))
                    : reading.baseDir().resolve(p))
        .map(Path::normalize);
  }

  Optional<List<String>> strings(String key) {
    Optional<YamlNode> value = value(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (!(value.get() instanceof Sequence sequence)) {
      wrongType(key, value.get(), "a list of strings, such as [q_proj, v_proj]");
      return Optional.empty();
    }
    List<String> items = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < sequence.items().size(); i++) {
      YamlNode item = sequence.items().get(i);
      if (item instanceof Scalar s && s.kind() != ScalarKind.NULL) {
        items.add(s.text());
      } else {
        reading
            .problems()
            .add(
                pathOf(key) + "[" + i + "]",
                item.location(),
                Optional.empty(),
                "is " + item.kindName() + ", not a string",
                "a string");
        ok = false;
      }
    }
    return ok ? Optional.of(List.copyOf(items)) : Optional.empty();
  }

  /** Records that a required key is missing. */
  void missing(String key, String allowed) {
    known.add(key);
    reading
        .problems()
        .add(pathOf(key), location, Optional.empty(), "is required but missing", allowed);
  }

  /**
   * Builds a spec value; if its rules reject it, each violation becomes a problem at the key it
   * names and the result is empty.
   */
  <T> Optional<T> build(Supplier<T> constructor) {
    try {
      return Optional.of(constructor.get());
    } catch (InvalidSpecException e) {
      for (SpecViolation v : e.violations()) {
        violation(v);
      }
      return Optional.empty();
    }
  }

  /** Records a broken spec rule at the position of its key. */
  void violation(SpecViolation v) {
    Location at = locationOf(v.key());
    if (v.isMissing()) {
      reading
          .problems()
          .add(pathOf(v.key()), at, Optional.empty(), "is required but missing", v.expected());
      return;
    }
    YamlNode written = nodeAt(v.key());
    if (written != null) {
      String shown = written instanceof Scalar s ? s.shown() : v.value();
      reading
          .problems()
          .add(pathOf(v.key()), at, Optional.of(shown), "is not allowed", v.expected());
    } else {
      reading
          .problems()
          .add(
              pathOf(v.key()),
              at,
              Optional.of(v.value()),
              "(the default) is not allowed",
              v.expected());
    }
  }

  private YamlNode nodeAt(String dottedKey) {
    YamlNode current = node.orElse(null);
    for (String part : dottedKey.split("\\.")) {
      if (!(current instanceof Mapping m)) {
        return null;
      }
      current = m.entry(part).map(Entry::value).orElse(null);
    }
    return current;
  }

  private Optional<Scalar> scalar(String key, YamlNode value, String expected) {
    if (value instanceof Scalar s) {
      if (s.fromEnvironment()) {
        reading.markSecret(pathOf(key));
      }
      return Optional.of(s);
    }
    wrongType(key, value, expected);
    return Optional.empty();
  }

  private void wrongType(String key, YamlNode value, String expected) {
    reading
        .problems()
        .add(pathOf(key), value.location(), Optional.empty(), "is " + value.kindName(), expected);
  }

  private void problem(String key, Scalar s, String message, String allowed) {
    reading.problems().add(pathOf(key), s.location(), Optional.of(s.shown()), message, allowed);
  }

  static <E extends Enum<E>> String id(E constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  private static <E extends Enum<E>> List<String> ids(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Section::id).toList();
  }

  private static <E extends Enum<E>> String allowedIds(Class<E> type) {
    return String.join(", ", ids(type));
  }
}
