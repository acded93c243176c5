package dev.tune.trainer.data;

import dev.tune.core.error.BadInputException;
import java.nio.file.Path;
import java.util.Locale;

/** The data file formats tune reads, known by their extension. */
public enum FileFormat {
  /** One JSON object per line ({@code .jsonl}, {@code .ndjson}). */
  JSON_LINES,
  /**
   * {@code .json}: an array of objects, or JSON Lines (what {@code datasets}' and pandas' {@code
   * to_json} write), told apart by the first character.
   */
  JSON,
  /** Comma-separated values with a header row and RFC 4180 quoting. */
  CSV,
  /** Tab-separated values with a header row; quoting as in CSV. */
  TSV,
  /** Apache Parquet, read one row group at a time. */
  PARQUET;

  static final String EXTENSIONS = ".jsonl, .ndjson, .json, .csv, .tsv, .parquet";

  /** Whether tune reads files with this name's extension. */
  static boolean isDataFile(Path file) {
    return extension(file) != null;
  }

  /**
   * @throws BadInputException for an extension tune does not read
   */
  public static FileFormat of(Path file) {
    FileFormat format = extension(file);
    if (format == null) {
      throw new BadInputException(
          "Cannot tell the format of " + file + " from its extension.",
          "Name data files with one of " + EXTENSIONS + ".");
    }
    return format;
  }

  private static FileFormat extension(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return null;
    }
    String n = name.toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
      return JSON_LINES;
    }
    if (n.endsWith(".json")) {
      return JSON;
    }
    if (n.endsWith(".csv")) {
      return CSV;
    }
    if (n.endsWith(".tsv")) {
      return TSV;
    }
    if (n.endsWith(".parquet")) {
      return PARQUET;
    }
    return null;
  }
}
