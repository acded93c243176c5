package dev.tune.core.artifact;

import java.util.regex.Pattern;

/**
 * An object or prefix in Amazon S3.
 *
 * @param bucket the bucket name
 * @param key the object key or prefix, without a leading slash; empty for the bucket root
 */
public record S3Uri(String bucket, String key) implements ArtifactUri {
  private static final BucketStyle STYLE = new BucketStyle("s3", "key", "the key");

  // S3 general purpose bucket naming rules.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IP_ADDRESS = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");

  public S3Uri {
    STYLE.check(bucket, key, S3Uri::bucketProblem);
  }

  static S3Uri parseAfterScheme(String text, String rest) {
    return STYLE.parseAfterScheme(text, rest, S3Uri::new);
  }

  private static String bucketProblem(String bucket) {
    String shape =
        BucketStyle.shapeProblem(bucket, BUCKET, "lower-case letters, digits, dots and hyphens");
    if (shape != null) {
      return shape;
    }
    if (bucket.contains("..") || IP_ADDRESS.matcher(bucket).matches()) {
      return "the bucket name '" + bucket + "' must not contain '..' or look like an IP address";
    }
    return null;
  }

  @Override
  public String scheme() {
    return STYLE.scheme();
  }

  @Override
  public S3Uri resolve(String relative) {
    return new S3Uri(bucket, UriSyntax.join(key, relative));
  }

  @Override
  public String toString() {
    return STYLE.text(bucket, key);
  }
}
