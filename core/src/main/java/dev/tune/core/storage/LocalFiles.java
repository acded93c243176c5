package dev.tune.core.storage;

import dev.tune.core.error.AuthException;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.TuneException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Puts files in place on the local disk so that a reader never sees half of one: each is written
 * next to its target under a temporary name and renamed.
 */
public final class LocalFiles {
  private LocalFiles() {}

  /** Copies {@code from} to {@code to}, replacing it; creates the parent directories. */
  public static void copy(Path from, Path to) throws IOException {
    Path temp = tempNextTo(to);
    try {
      Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
      moveInto(temp, to);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Makes {@code to} a hard link to {@code from} where the file system allows it (a cached file of
   * many gigabytes then costs no second copy), else a copy.
   */
  public static void linkOrCopy(Path from, Path to) throws IOException {
    Path temp = tempNextTo(to);
    try {
      try {
        Files.createLink(temp, from);
      } catch (UnsupportedOperationException | FileSystemException e) {
        Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
      }
      moveInto(temp, to);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Renames {@code from} to {@code to}, atomically where the file system can. */
  public static void moveInto(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Writes {@code text} to {@code to} through a temporary file. */
  public static void writeString(Path to, String text) throws IOException {
    Path temp = tempNextTo(to);
    try {
      Files.writeString(temp, text);
      moveInto(temp, to);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static Path tempNextTo(Path target) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    return parent.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  /**
   * The user-facing failure for {@code e}, raised while {@code doing} (e.g. {@code writing
   * /data/x}).
   */
  public static TuneException failure(String doing, IOException e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof NoSuchFileException) {
      return new NotFoundException(
          "Failed " + doing + ": no such file or directory (" + reason + ").",
          "Check the path.",
          e);
    }
    if (e instanceof AccessDeniedException) {
      return new AuthException(
          "Failed " + doing + ": permission denied (" + reason + ").",
          "Give this user access to the path, or use another one.",
          e);
    }
    return new BadInputException(
        "Failed " + doing + ": " + reason + ".",
        "Check that the path is readable and writable and that the disk has space.",
        e);
  }
}
