package dev.tune.core.artifact;

import java.util.regex.Pattern;

/**
 * An object or prefix in Google Cloud Storage.
 *
 * @param bucket the bucket name
 * @param object the object name or prefix, without a leading slash; empty for the bucket root
 */
public record GcsUri(String bucket, String object) implements ArtifactUri {
  private static final BucketStyle STYLE = new BucketStyle("gs", "object", "the object name");

  // Cloud Storage bucket naming rules; names with dots may be up to 222 characters, with each
  // dot-separated part at most 63.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

  public GcsUri {
    STYLE.check(bucket, object, GcsUri::bucketProblem);
  }

  static GcsUri parseAfterScheme(String text, String rest) {
    return STYLE.parseAfterScheme(text, rest, GcsUri::new);
  }

  private static String bucketProblem(String bucket) {
    String shape =
        BucketStyle.shapeProblem(
            bucket, BUCKET, "lower-case letters, digits, dots, hyphens and underscores");
    if (shape != null) {
      return shape;
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
    return STYLE.scheme();
  }

  @Override
  public GcsUri resolve(String relative) {
    return new GcsUri(bucket, UriSyntax.join(object, relative));
  }

  @Override
  public String toString() {
    return STYLE.text(bucket, object);
  }
}
