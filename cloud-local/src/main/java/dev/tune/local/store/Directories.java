package dev.tune.local.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Creating the directories of jobs, models and endpoints. */
public final class Directories {
  private Directories() {}

  /**
   * Creates {@code dir} (and its parents) readable by its owner only, since it may hold an API key
   * or a token-bearing log.
   */
  public static Path createPrivate(Path dir) throws IOException {
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the default permissions stay
    }
    return dir;
  }
}
