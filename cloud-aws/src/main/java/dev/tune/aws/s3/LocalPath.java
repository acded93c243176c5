package dev.tune.aws.s3;

import dev.tune.core.error.BadInputException;
import java.nio.file.Path;

/**
 * Turns object keys into local paths only when they stay where they belong: a key such as {@code
 * a/../../etc/x} is a legal S3 key but must never become a file outside the fetch's directory.
 */
final class LocalPath {
  private LocalPath() {}

  /**
   * {@code relative} ({@code /}-separated) below {@code dir}.
   *
   * @param uri the location being fetched, for the message
   * @throws BadInputException if a segment is empty, {@code .} or {@code ..}
   */
  static Path below(Path dir, String relative, Object uri) {
    Path result = dir;
    for (String segment : relative.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new BadInputException(
            "The object key '"
                + relative
                + "' below "
                + uri
                + " cannot be a local file: it has an empty, '.' or '..' segment.",
            "Rename the object, or fetch a prefix that does not contain it.");
      }
      result = result.resolve(segment);
    }
    return result;
  }
}
