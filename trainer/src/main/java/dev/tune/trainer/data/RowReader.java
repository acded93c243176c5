package dev.tune.trainer.data;

import dev.tune.core.error.BadInputException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the rows of one data file in order, holding one row (or one Parquet row group) at once. */
interface RowReader extends Closeable {

  /**
   * The next row, or {@code null} after the last.
   *
   * @throws BadRowException for a malformed row; reading may go on with the next one
   * @throws BadInputException when the rest of the file cannot be read (a broken JSON array)
   */
  Row next();

  @Override
  void close();

  /** Opens a reader for the file's format. */
  static RowReader open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(
          "Data file " + file + " does not exist or is not a file.",
          "Check the path in data.train / data.eval.");
    }
    try {
      return switch (FileFormat.of(file)) {
        case JSON_LINES -> new JsonLinesReader(file);
        case JSON ->
            JsonArrayReader.startsWithArray(file)
                ? new JsonArrayReader(file)
                : new JsonLinesReader(file);
        case CSV -> new DelimitedReader(file, ',');
        case TSV -> new DelimitedReader(file, '\t');
        case PARQUET -> new ParquetRowReader(file);
      };
    } catch (NoSuchFileException e) {
      throw new BadInputException(
          "Data file " + file + " does not exist.", "Check the path in data.train / data.eval.");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
