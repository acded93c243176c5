package dev.tune.core.artifact;

import java.nio.file.Path;
import java.util.regex.Matcher;

/**
 * Where a model, a data set or any other artifact lives: a local file ({@code file://}), an S3
 * object ({@code s3://}), a Cloud Storage object ({@code gs://}), a Hugging Face Hub repository
 * ({@code hf://org/name@revision}, {@code hf://datasets/org/name@revision}) or a file served over
 * HTTPS ({@code https://}). A plain path is a file.
 *
 * <p>The {@code toString()} of every kind is its canonical URI text, which {@link #parse(String)}
 * reads back to an equal value.
 */
public sealed interface ArtifactUri permits FileUri, S3Uri, GcsUri, HfUri, HttpsUri {

  /** The URI scheme: {@code file}, {@code s3}, {@code gs}, {@code hf} or {@code https}. */
  String scheme();

  /** A URI for {@code relative} (one or more {@code /}-separated segments) below this one. */
  ArtifactUri resolve(String relative);

  /** Parses {@code text}; a relative plain path is resolved against the working directory. */
  static ArtifactUri parse(String text) {
    return parse(text, Path.of("").toAbsolutePath());
  }

  /**
   * Parses {@code text}; a relative plain path (or {@code file://} path) is resolved against {@code
   * baseDir}, as paths in {@code tune.yaml} are resolved against the file's directory.
   *
   * @throws InvalidArtifactUriException if the text is not a supported URI
   */
  static ArtifactUri parse(String text, Path baseDir) {
    if (text == null || text.isBlank()) {
      throw new InvalidArtifactUriException(String.valueOf(text), "it is empty");
    }
    String trimmed = text.strip();
    Matcher scheme = UriSyntax.SCHEME.matcher(trimmed);
    if (scheme.lookingAt()) {
      String rest = trimmed.substring(scheme.end());
      return switch (scheme.group(1)) {
        case "file" -> FileUri.parseAfterScheme(trimmed, rest, baseDir);
        case "s3" -> S3Uri.parseAfterScheme(trimmed, rest);
        case "gs" -> GcsUri.parseAfterScheme(trimmed, rest);
        case "hf" -> HfUri.parseAfterScheme(trimmed, rest);
        case "https" -> HttpsUri.parseAfterScheme(trimmed);
        case "http" ->
            throw new InvalidArtifactUriException(
                trimmed,
                "the scheme 'http' is not supported: tune downloads over https:// only, so that"
                    + " nobody on the way can change what it reads");
        default ->
            throw new InvalidArtifactUriException(
                trimmed, "the scheme '" + scheme.group(1) + "' is not supported");
      };
    }
    Matcher missingSlashes = UriSyntax.SCHEME_WITHOUT_SLASHES.matcher(trimmed);
    if (missingSlashes.lookingAt()) {
      throw new InvalidArtifactUriException(
          trimmed,
          "'"
              + missingSlashes.group(1)
              + ":' must be followed by '//' (write "
              + missingSlashes.group(1)
              + "://...)");
    }
    return FileUri.ofPath(trimmed, trimmed, baseDir);
  }
}
