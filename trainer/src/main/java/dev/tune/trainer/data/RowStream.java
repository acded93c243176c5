package dev.tune.trainer.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The rows of several files in order, one file open at a time. Every record read, bad ones
 * included, gets the next ordinal from 0; the eval split is drawn over these ordinals.
 */
final class RowStream implements AutoCloseable {

  private final List<Path> files;
  private int nextFile;
  private RowReader current;
  private long ordinal = -1;

  RowStream(List<Path> files) {
    this.files = List.copyOf(files);
  }

  /**
   * The next row, or {@code null} after the last file.
   *
   * @throws BadRowException for a bad row; the stream goes on after it
   */
  Row next() {
    while (true) {
      if (current == null) {
        if (nextFile == files.size()) {
          return null;
        }
        current = RowReader.open(files.get(nextFile++));
      }
      Row row;
      try {
        row = current.next();
      } catch (BadRowException e) {
        ordinal++;
        throw e;
      } catch (RuntimeException e) {
        // The rest of the file cannot be read; nothing after it will be asked for.
        close();
        throw e;
      }
      if (row != null) {
        ordinal++;
        return row;
      }
      current.close();
      current = null;
    }
  }

  /** The ordinal of the record {@link #next()} returned or failed on last. */
  long ordinal() {
    return ordinal;
  }

  /** Counts the records of the files (bad rows included), reading them once. */
  static long count(List<Path> files) {
    try (RowStream rows = new RowStream(files)) {
      while (true) {
        try {
          if (rows.next() == null) {
            return rows.ordinal() + 1;
          }
        } catch (BadRowException e) {
          // Counted all the same: a bad row still has its ordinal.
        }
      }
    }
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}
