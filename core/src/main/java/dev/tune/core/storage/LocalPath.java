package dev.tune.core.storage;

import dev.tune.core.error.BadInputException;
import java.nio.file.Path;

/**
 * Turns remote paths (object keys, repository paths) into local paths only when they stay where
 * they belong: {@code a/../../etc/x} is a legal S3 key or Cloud Storage object name but must never
 * become a file outside the fetch's directory.
 */
public final class LocalPath {
  private LocalPath() {}

  /**
   * {@code relative} ({@code /}-separated) below {@code dir}.
   *
   * @param source the location being fetched, for the message
   * @throws BadInputException if a segment is empty, {@code .} or {@code ..}
   */
  public static Path below(Path dir, String relative, Object source) {
    Path result = dir;
    for (String segment : relative.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new BadInputException(
            "The object '"
                + relative
                + "' below "
                + source
                + " cannot be a local file: it has an empty, '.' or '..' segment.",
            "Rename the object, or fetch a prefix that does not contain it.");
      }
      result = result.resolve(segment);
    }
    return result;
  }
}
