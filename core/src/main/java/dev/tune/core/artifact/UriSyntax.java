package dev.tune.core.artifact;

import java.util.regex.Pattern;

/** Syntax shared by the artifact URI kinds. */
final class UriSyntax {
  static final Pattern SCHEME = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*)://");
  static final Pattern SCHEME_WITHOUT_SLASHES = Pattern.compile("(file|s3|gs|hf|https):(?!//)");

  private UriSyntax() {}

  /** Joins {@code base} and {@code relative} with exactly one slash between them. */
  static String join(String base, String relative) {
    String tail = relative.replaceAll("^/+", "");
    if (base.isEmpty()) {
      return tail;
    }
    if (tail.isEmpty()) {
      return base;
    }
    return base.endsWith("/") ? base + tail : base + "/" + tail;
  }
}
