package dev.tune.trainer.train;

import dev.tune.core.storage.LocalTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code checkpoint-N} directories of a run's output directory, as HF Trainer lays them out.
 *
 * <p>A checkpoint is written into a temporary directory beside its final place and renamed into
 * place in one step, so a run killed while saving leaves either the whole checkpoint or none (the
 * temporary leftovers are removed when the next run starts). After each save the oldest checkpoints
 * beyond {@code save_total_limit} are deleted, except the newest one and the one {@link #keep}
 * names (the best, when early stopping keeps it), as transformers' rotation spares the best
 * checkpoint.
 */
public final class CheckpointStore {

  /** The prefix of checkpoint directories, followed by the optimizer step. */
  public static final String PREFIX = "checkpoint-";

  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)");
  private static final String TEMP_PREFIX = ".tmp-" + PREFIX;

  private final Path outputDir;
  private final OptionalInt saveTotalLimit;
  private OptionalInt kept = OptionalInt.empty();

  /**
   * @param saveTotalLimit how many checkpoints to keep, newest first; empty keeps all
   */
  public CheckpointStore(Path outputDir, OptionalInt saveTotalLimit) {
    this.outputDir = outputDir;
    this.saveTotalLimit = saveTotalLimit;
    saveTotalLimit.ifPresent(
        limit -> {
          if (limit < 1) {
            throw new IllegalArgumentException(
                "save_total_limit must be >= 1 (or unset to keep every checkpoint), got " + limit);
          }
        });
  }

  /** Spares the checkpoint of {@code step} from the {@code save_total_limit} rotation. */
  public void keep(int step) {
    kept = OptionalInt.of(step);
  }

  /** Writes the checkpoint's files into a directory. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(Path dir) throws IOException;
  }

  /**
   * Saves the checkpoint of {@code step}: {@code writer} fills a temporary directory, which then
   * becomes {@code checkpoint-<step>} (replacing one of that step). Older checkpoints beyond the
   * limit are deleted afterwards.
   *
   * @return the checkpoint directory
   */
  public Path save(int step, Writer writer) {
    Path target = outputDir.resolve(PREFIX + step);
    Path temp = outputDir.resolve(TEMP_PREFIX + step + "-" + System.nanoTime());
    try {
      Files.createDirectories(outputDir);
      Files.createDirectory(temp);
      writer.writeTo(temp);
      if (Files.exists(target)) {
        LocalTree.delete(target);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target);
      }
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new UncheckedIOException("cannot save checkpoint " + target, e);
    } catch (RuntimeException e) {
      deleteQuietly(temp);
      throw e;
    }
    prune();
    return target;
  }

  /** The complete checkpoints, oldest first. */
  public List<Path> checkpoints() {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(outputDir)) {
      return found;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir)) {
      for (Path entry : entries) {
        if (step(entry).isPresent() && Files.isRegularFile(entry.resolve(TrainerState.FILE_NAME))) {
          found.add(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + outputDir, e);
    }
    found.sort(Comparator.comparingInt(p -> step(p).getAsInt()));
    return found;
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Path> latest() {
    List<Path> all = checkpoints();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The optimizer step of a checkpoint directory, from its name. */
  public static OptionalInt step(Path checkpoint) {
    Path name = checkpoint.getFileName();
    Matcher m = NAME.matcher(name == null ? "" : name.toString());
    return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }

  /** Deletes what a run killed while saving left behind. */
  public void removeTemporaries() {
    if (!Files.isDirectory(outputDir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir, TEMP_PREFIX + "*")) {
      for (Path entry : entries) {
        LocalTree.delete(entry);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + outputDir, e);
    }
  }

  private void prune() {
    if (saveTotalLimit.isEmpty()) {
      return;
    }
    List<Path> all = checkpoints();
    int excess = all.size() - saveTotalLimit.getAsInt();
    for (int i = 0; i < all.size() - 1 && excess > 0; i++) {
      Path old = all.get(i);
      if (kept.isPresent() && step(old).getAsInt() == kept.getAsInt()) {
        continue;
      }
      try {
        LocalTree.delete(old);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the old checkpoint " + old, e);
      }
      excess--;
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      LocalTree.delete(dir);
    } catch (IOException suppressed) {
      // the original failure is what the caller needs to see
    }
  }
}
