package dev.tune.core.config;

import dev.tune.core.config.YamlNode.Entry;
import dev.tune.core.config.YamlNode.Mapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The state of reading one file: its problems, the directory relative paths resolve against, the
 * sections read so far (for unknown keys) and the keys whose values came from the environment (to
 * mask them).
 */
final class Reading {
  private final Problems problems;
  private final Path baseDir;
  private final List<Section> sections = new ArrayList<>();
  private final Set<String> secretPaths = new HashSet<>();

  Reading(Problems problems, Path baseDir) {
    this.problems = problems;
    this.baseDir = baseDir;
  }

  Problems problems() {
    return problems;
  }

  Path baseDir() {
    return baseDir;
  }

  void register(Section section) {
    sections.add(section);
  }

  void markSecret(String path) {
    secretPaths.add(path);
  }

  Set<String> secretPaths() {
    return Set.copyOf(secretPaths);
  }

  /**
   * Reports every key that no section asked for. The suggestion is a close spelling from the same
   * section, the key without a redundant section prefix ({@code lora_alpha} in {@code lora}), or
   * the same key where it belongs in another section.
   */
  void reportUnknownKeys() {
    for (Section section : sections) {
      Optional<Mapping> mapping = section.node();
      if (mapping.isEmpty()) {
        continue;
      }
      for (Entry entry : mapping.get().entries()) {
        if (section.knownKeys().contains(entry.key())) {
          continue;
        }
        problems.add(
            section.pathOf(entry.key()),
            entry.keyLocation(),
            Optional.empty(),
            "is not a known key",
            section.knownKeys().isEmpty()
                ? "no keys here"
                : "one of " + String.join(", ", section.knownKeys()),
            suggest(section, entry.key()));
      }
    }
  }

  private Optional<String> suggest(Section section, String key) {
    Set<String> known = section.knownKeys();
    Optional<String> close = Suggestions.closest(key, known);
    if (close.isPresent()) {
      return close;
    }
    String lastPart = section.path().substring(section.path().lastIndexOf('.') + 1);
    if (!lastPart.isEmpty() && key.startsWith(lastPart + "_")) {
      Optional<String> unprefixed =
          Suggestions.closest(key.substring(lastPart.length() + 1), known);
      if (unprefixed.isPresent()) {
        return unprefixed;
      }
    }
    return elsewhere(key, section);
  }

  private Optional<String> elsewhere(String key, Section besides) {
    List<String> places =
        sections.stream()
            .filter(other -> other != besides && other.knownKeys().contains(key))
            .map(other -> other.pathOf(key))
            .distinct()
            .toList();
    return places.size() == 1 ? Optional.of(places.get(0)) : Optional.empty();
  }
}
