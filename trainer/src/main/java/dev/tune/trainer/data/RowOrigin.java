package dev.tune.trainer.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a row came from, for error messages: its file, its 1-based row number in that file and the
 * 1-based line it starts on (0 for formats without lines, such as Parquet).
 */
public record RowOrigin(Path file, long row, long line) {

  public RowOrigin {
    Objects.requireNonNull(file, "file");
  }

  @Override
  public String toString() {
    if (line == 0) {
      return file + " row " + row;
    }
    return row == line ? file + " line " + line : file + " row " + row + " (line " + line + ")";
  }
}
