package dev.tune.core.storage;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.NotFoundException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which files of a location a fetch takes: those matching an allow pattern (all, when there are
 * none) and no ignore pattern; then, if safetensors weights are among them and preferred, not the
 * same weights in other formats.
 */
public final class FileSelection {
  // Weight formats that duplicate a checkpoint's safetensors, and their shard indexes.
  private static final List<String> OTHER_WEIGHT_SUFFIXES =
      List.of(
          ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".ot", ".onnx", ".onnx_data", ".gguf");

  private final List<Glob> allow;
  private final List<Glob> ignore;
  private final boolean preferSafetensors;

  public FileSelection(
      List<String> allowPatterns, List<String> ignorePatterns, boolean preferSafetensors) {
    this.allow = allowPatterns.stream().map(Glob::of).toList();
    this.ignore = ignorePatterns.stream().map(Glob::of).toList();
    this.preferSafetensors = preferSafetensors;
  }

  /** Every file, safetensors preferred. */
  public static FileSelection all() {
    return new FileSelection(List.of(), List.of(), true);
  }

  /**
   * The paths of {@code candidates} (relative, {@code /}-separated) to take, in their order.
   * Candidates are all files of one location, so that the safetensors rule sees them together.
   */
  public List<String> select(Collection<String> candidates) {
    List<String> matched = candidates.stream().filter(this::matchesPatterns).toList();
    if (preferSafetensors && matched.stream().anyMatch(p -> lower(p).endsWith(".safetensors"))) {
      return matched.stream().filter(p -> !isOtherWeightFormat(p)).toList();
    }
    return matched;
  }

  /**
   * {@link #select}, for a fetch of {@code location} whose files are {@code candidates}: taking
   * none of them is a mistake in the patterns, and the message shows some of what there is.
   *
   * @throws NotFoundException if no candidate is selected
   */
  public List<String> selectFrom(ArtifactUri location, Collection<String> candidates) {
    List<String> selected = select(candidates);
    if (selected.isEmpty()) {
      throw new NotFoundException(
          "None of the "
              + candidates.size()
              + " files below "
              + location
              + " matches allow "
              + allow
              + " and ignore "
              + ignore
              + "; there are "
              + candidates.stream().limit(10).collect(Collectors.joining(", "))
              + (candidates.size() > 10 ? ", ..." : "")
              + ".",
          "Change the file patterns.");
    }
    return selected;
  }

  private boolean matchesPatterns(String path) {
    boolean allowed = allow.isEmpty() || allow.stream().anyMatch(g -> g.matches(path));
    return allowed && ignore.stream().noneMatch(g -> g.matches(path));
  }

  private static boolean isOtherWeightFormat(String path) {
    String name = lower(path);
    if (name.endsWith(".index.json")) {
      name = name.substring(0, name.length() - ".index.json".length());
    }
    for (String suffix : OTHER_WEIGHT_SUFFIXES) {
      if (name.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  private static String lower(String path) {
    return path.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "allow " + allow + ", ignore " + ignore + ", prefer safetensors " + preferSafetensors;
  }
}
