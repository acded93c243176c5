package dev.tune.core.config;

import dev.tune.core.config.YamlNode.Entry;
import dev.tune.core.config.YamlNode.Mapping;
import dev.tune.core.config.YamlNode.Scalar;
import dev.tune.core.config.YamlNode.ScalarKind;
import dev.tune.core.config.YamlNode.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in scalar values with environment
 * variables; a doubled dollar sign before the brace writes the two characters literally. An empty
 * variable counts as unset. Values that took a variable's value are marked so that nothing prints
 * them.
 */
final class EnvInterpolator {
  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}|\\$\\{");

  private final Map<String, String> environment;
  private final Problems problems;

  EnvInterpolator(Map<String, String> environment, Problems problems) {
    this.environment = environment;
    this.problems = problems;
  }

  Mapping resolve(Mapping root) {
    return resolveMapping(root, "");
  }

  private YamlNode resolve(YamlNode node, String path) {
    return switch (node) {
      case Mapping m -> resolveMapping(m, path);
      case Sequence s -> {
        List<YamlNode> items = new ArrayList<>();
        for (int i = 0; i < s.items().size(); i++) {
          items.add(resolve(s.items().get(i), path + "[" + i + "]"));
        }
        yield new Sequence(s.location(), List.copyOf(items));
      }
      case Scalar s -> resolveScalar(s, path);
    };
  }

  private Mapping resolveMapping(Mapping m, String path) {
    List<Entry> entries = new ArrayList<>();
    for (Entry e : m.entries()) {
      String childPath = path.isEmpty() ? e.key() : path + "." + e.key();
      entries.add(new Entry(e.key(), e.keyLocation(), resolve(e.value(), childPath)));
    }
    return new Mapping(m.location(), List.copyOf(entries));
  }

  private Scalar resolveScalar(Scalar s, String path) {
    if (s.kind() != ScalarKind.STRING || !s.text().contains("${")) {
      return s;
    }
    Matcher m = REFERENCE.matcher(s.text());
    StringBuilder out = new StringBuilder();
    boolean fromEnvironment = false;
    while (m.find()) {
      String replacement;
      if (m.group().equals("$${")) {
        replacement = "${";
      } else if (m.group(1) == null) {
        problems.add(
            path,
            s.location(),
            Optional.of(s.text()),
            "has an unfinished environment variable reference",
            "${NAME} or ${NAME:-default}, or $${ for a literal ${");
        return s;
      } else {
        String value = environment.get(m.group(1));
        if (value != null && !value.isEmpty()) {
          replacement = value;
          fromEnvironment = true;
        } else if (m.group(2) != null) {
          replacement = m.group(2);
        } else {
          problems.add(
              path,
              s.location(),
              Optional.of(s.text()),
              "refers to environment variable " + m.group(1) + ", which is not set",
              "set " + m.group(1) + ", or give a default: ${" + m.group(1) + ":-default}");
          return s;
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return new Scalar(s.location(), out.toString(), ScalarKind.STRING, fromEnvironment);
  }
}
