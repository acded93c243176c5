package dev.tune.core.artifact;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The shape that object-store URIs share: {@code SCHEME://BUCKET[/PATH]}, where the path has no
 * leading slash and is empty for the bucket root. Each store brings its own bucket naming rules.
 *
 * @param scheme the URI scheme, e.g. {@code s3}
 * @param pathName the record component that holds the path, for null checks
 * @param pathNoun how messages name the path, e.g. {@code the key}
 */
record BucketStyle(String scheme, String pathName, String pathNoun) {

  /**
   * Checks a bucket and path.
   *
   * @param bucketProblem what is wrong with a bucket name under the store's rules, or null
   * @throws InvalidArtifactUriException naming the URI and what is wrong with it
   */
  void check(String bucket, String path, Function<String, String> bucketProblem) {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(path, pathName);
    String problem = bucketProblem.apply(bucket);
    if (problem != null) {
      throw new InvalidArtifactUriException(scheme + "://" + bucket + "/" + path, problem);
    }
    if (path.startsWith("/")) {
      throw new InvalidArtifactUriException(
          scheme + "://" + bucket + "/" + path, pathNoun + " must not start with '/'");
    }
  }

  /**
   * Splits what follows {@code SCHEME://} into bucket and path; a failure names the whole {@code
   * text}.
   */
  <T> T parseAfterScheme(String text, String rest, BiFunction<String, String, T> create) {
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    try {
      return create.apply(bucket, path);
    } catch (InvalidArtifactUriException e) {
      throw new InvalidArtifactUriException(text, e.reason());
    }
  }

  /**
   * The problems every store's bucket names share: missing, or outside {@code pattern}, whose
   * allowed characters {@code characters} describes; null if neither.
   */
  static String shapeProblem(String bucket, Pattern pattern, String characters) {
    if (bucket.isEmpty()) {
      return "the bucket name is missing";
    }
    if (!pattern.matcher(bucket).matches()) {
      return "the bucket name '"
          + bucket
          + "' must be 3 to 63 "
          + characters
          + ", starting and ending with a letter or digit";
    }
    return null;
  }

  String text(String bucket, String path) {
    return path.isEmpty() ? scheme + "://" + bucket : scheme + "://" + bucket + "/" + path;
  }
}
