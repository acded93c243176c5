package dev.tune.core.artifact;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An object or prefix in Amazon S3.
 *
 * @param bucket the bucket name
 * @param key the object key or prefix, without a leading slash; empty for the bucket root
 */
public record S3Uri(String bucket, String key) implements ArtifactUri {
  // S3 general purpose bucket naming rules.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IP_ADDRESS = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");

  public S3Uri {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
    String problem = bucketProblem(bucket);
    if (problem != null) {
      throw new InvalidArtifactUriException("s3://" + bucket + "/" + key, problem);
    }
    if (key.startsWith("/")) {
      throw new InvalidArtifactUriException(
          "s3://" + bucket + "/" + key, "the key must not start with '/'");
    }
  }

  static S3Uri parseAfterScheme(String text, String rest) {
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    try {
      return new S3Uri(bucket, key);
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
          + "' must be 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending"
          + " with a letter or digit";
    }
    if (bucket.contains("..") || IP_ADDRESS.matcher(bucket).matches()) {
      return "the bucket name '" + bucket + "' must not contain '..' or look like an IP address";
    }
    return null;
  }

  @Override
  public String scheme() {
    return "s3";
  }

  @Override
  public S3Uri resolve(String relative) {
    return new S3Uri(bucket, UriSyntax.join(key, relative));
  }

  @Override
  public String toString() {
    return key.isEmpty() ? "s3://" + bucket : "s3://" + bucket + "/" + key;
  }
}
