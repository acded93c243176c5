package dev.tune.core.storage;

import dev.tune.core.error.RemoteFailureException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Brings one remote object to a local file the way a sync tool does. A file whose size and
 * modification time match the object's is current and moves nothing ({@code aws s3 sync} and {@code
 * gcloud storage rsync} judge the same way). Otherwise the bytes go to a hidden part file next to
 * the target, {@code .NAME.UUID.part}, which is checked and only then renamed into place with the
 * object's time; a failure deletes it.
 *
 * <p>A process killed mid-download cannot delete its part file. The next download of the same
 * target deletes those left untouched for {@link #STALE_AFTER}: a live download, in this process or
 * another, writes its part continually, so one that old has no owner, while a younger one may be
 * another fetch's work in progress.
 */
public final class SyncedDownload {
  /** How long a part file goes unwritten before it counts as left by a dead process. */
  public static final Duration STALE_AFTER = Duration.ofMinutes(10);

  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  private SyncedDownload() {}

  /** Writes the object's bytes into {@code part}, appending to what an earlier attempt left. */
  @FunctionalInterface
  public interface Body {
    /**
     * Fills {@code part} with the whole object and checks it; throws if it is incomplete or
     * damaged.
     */
    void writeTo(Path part) throws IOException;
  }

  /**
   * Whether {@code target} already holds an object of {@code size} bytes written at {@code time}.
   */
  public static boolean isCurrent(Path target, long size, Instant time) throws IOException {
    return Files.isRegularFile(target)
        && Files.size(target) == size
        && Files.getLastModifiedTime(target).toMillis() == time.toEpochMilli();
  }

  /**
   * Makes {@code target} hold the object of {@code size} bytes written at {@code time}: nothing
   * moves when it is current; otherwise {@code body} writes a part file that replaces the target.
   * Stale part files of the target go first either way.
   */
  public static void fetch(Path target, long size, Instant time, FileProgress progress, Body body)
      throws IOException {
    deleteStaleParts(target, Instant.now().minus(STALE_AFTER));
    if (isCurrent(target, size, time)) {
      progress.cached(size);
      return;
    }
    Files.createDirectories(target.getParent());
    Path part =
        target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
    try {
      progress.started(0, OptionalLong.of(size));
      body.writeTo(part);
      Files.setLastModifiedTime(part, FileTime.from(time));
      LocalFiles.moveInto(part, target);
      progress.done(size);
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /**
   * The failure a {@link Body} throws when the connection to {@code source} broke {@code attempts}
   * times and it stops resuming.
   */
  public static RemoteFailureException connectionBroke(
      Object source, int attempts, Exception cause) {
    return new RemoteFailureException(
        "The connection broke while reading "
            + source
            + ", "
            + attempts
            + " times: "
            + cause.getMessage(),
        "Check the network connection and fetch again.",
        cause);
  }

  /** Deletes the part files of {@code target} last written before {@code cutoff}. */
  static void deleteStaleParts(Path target, Instant cutoff) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Pattern partName =
        Pattern.compile(Pattern.quote("." + target.getFileName() + ".") + UUID_PATTERN + "\\.part");
    DirectoryStream.Filter<Path> isPart =
        p -> partName.matcher(p.getFileName().toString()).matches();
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, isPart)) {
      for (Path part : parts) {
        try {
          if (Files.getLastModifiedTime(part).toInstant().isBefore(cutoff)) {
            Files.deleteIfExists(part);
          }
        } catch (NoSuchFileException gone) {
          // Its own download finished or failed meanwhile.
        }
      }
    } catch (NoSuchFileException noDirectoryYet) {
      // Nothing was ever fetched here.
    }
  }
}
