package dev.tune.core.artifact;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An object or prefix in Google Cloud Storage.
 *
 * @param bucket the bucket name
 * @param object the object name or prefix, without a leading slash; empty for the bucket root
 */
public record GcsUri(String bucket, String object) implements ArtifactUri {
  // Cloud Storage bucket naming rules; names with dots may be up to 222 characters, with each
  // dot-separated part at most 63.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

  public GcsUri {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(object, "object");
    String problem = bucketProblem(bucket);
    if (problem != null) {
      throw new InvalidArtifactUriException("gs://" + bucket + "/" + object, problem);
    }
    if (object.startsWith("/")) {
      throw new InvalidArtifactUriException(
          "gs://" + bucket + "/" + object, "the object name must not start with '/'");
    }
  }

  static GcsUri parseAfterScheme(String text, String rest) {
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String object = slash < 0 ? "" : rest.substring(slash + 1);
    try {
      return new GcsUri(bucket, object);
    } catch (InvalidArtifactUriException e) {
      throw new InvalidArtifactUriException(text, e.reason());
    }
  }

  private static String bucketProblem(String bucket) {
    if (bucket.isEmpty()) {
      return "the bucket name is missing";
    }
    if (!BUCKET.matcher(bucket).matches()) {
      return "the bucket name '"
          + bucket
          + "' must be 3 to 63 lower-case letters, digits, dots, hyphens and underscores,"
          + " starting and ending with a letter or digit";
    }
    boolean dotted = bucket.contains(".");
    if (!dotted && bucket.length() > 63) {
      return "the bucket name '" + bucket + "' is longer than 63 characters";
    }
    for (String part : bucket.split("\\.", -1)) {
      if (part.isEmpty() || part.length() > 63) {
        return "each dot-separated part of the bucket name '"
            + bucket
            + "' must be 1 to 63 characters";
      }
    }
    if (bucket.startsWith("goog")) {
      return "the bucket name '" + bucket + "' must not start with 'goog'";
    }
    return null;
  }

  @Override
  public String scheme() {
    return "gs";
  }

  @Override
  public GcsUri resolve(String relative) {
    return new GcsUri(bucket, UriSyntax.join(object, relative));
  }

  @Override
  public String toString() {
    return object.isEmpty() ? "gs://" + bucket : "gs://" + bucket + "/" + object;
  }
}
