package dev.tune.trainer.export;

import dev.tune.core.error.BadInputException;
import dev.tune.core.error.ConflictException;
import dev.tune.core.storage.LocalTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A directory filled under a temporary name beside its target and renamed into place once complete,
 * so the target never holds half a model: readers see the old directory, nothing, or the whole new
 * one.
 */
final class StagedDirectory implements AutoCloseable {

  private final Path target;
  private final Path staging;
  private final boolean overwrite;
  private boolean committed;

  private StagedDirectory(Path target, Path staging, boolean overwrite) {
    this.target = target;
    this.staging = staging;
    this.overwrite = overwrite;
  }

  /**
   * Checks that {@code target} may be written and creates the staging directory beside it.
   *
   * @throws ConflictException if {@code target} is a file, or a non-empty directory and not {@code
   *     overwrite}
   */
  static StagedDirectory create(Path target, boolean overwrite) {
    Path absolute = target.toAbsolutePath().normalize();
    checkWritable(absolute, overwrite);
    Path parent = absolute.getParent();
    try {
      Files.createDirectories(parent);
      Path staging = Files.createDirectory(parent.resolve(hiddenSibling(absolute, "tmp")));
      return new StagedDirectory(absolute, staging, overwrite);
    } catch (IOException e) {
      throw new BadInputException(
          "Cannot create a directory beside " + absolute + ": " + e.getMessage(),
          "Check that " + parent + " is writable and has free space.",
          e);
    }
  }

  private static void checkWritable(Path target, boolean overwrite) {
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new ConflictException(
          target + " exists and is not a directory.",
          "Choose another output directory, or remove the file.");
    }
    if (!overwrite && !isEmptyOrAbsent(target)) {
      throw new ConflictException(
          target + " already exists and is not empty.",
          "Pass --force to replace it, or choose another output directory.");
    }
  }

  /** Where to write the contents. */
  Path path() {
    return staging;
  }

  Path target() {
    return target;
  }

  /** Puts the staged directory in place of the target, replacing it when allowed. */
  void commit() {
    checkWritable(target, overwrite);
    try {
      Path previous = null;
      if (Files.isDirectory(target)) {
        if (isEmptyOrAbsent(target)) {
          Files.delete(target);
        } else {
          previous = target.resolveSibling(hiddenSibling(target, "old"));
          Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      committed = true;
      if (previous != null) {
        LocalTree.delete(previous);
      }
    } catch (IOException e) {
      throw new BadInputException(
          "Cannot move the finished model into " + target + ": " + e.getMessage(),
          "Check the permissions of " + target.getParent() + "; the output was left in " + staging,
          e);
    }
  }

  /** Deletes the staging directory unless it was committed. */
  @Override
  public void close() {
    if (!committed) {
      try {
        LocalTree.delete(staging);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot clean up " + staging, e);
      }
    }
  }

  private static String hiddenSibling(Path target, String kind) {
    return "."
        + target.getFileName()
        + "."
        + kind
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + System.nanoTime();
  }

  private static boolean isEmptyOrAbsent(Path dir) {
    if (!Files.isDirectory(dir)) {
      return !Files.exists(dir);
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
