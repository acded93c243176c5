package dev.tune.trainer.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code tune data inspect} found in a data set.
 *
 * @param files the files read, in order
 * @param rows records in the files, bad ones included
 * @param badRows rows that would fail (or be skipped with {@code skip_bad_rows})
 * @param badRowMessages the messages of the first bad rows
 * @param schema the detected schema, described
 * @param sample the first good row as the model would read it; empty for chat data without the
 *     model's tokenizer (its chat template renders it)
 * @param lengths token lengths of the good rows; empty without a tokenizer
 * @param maxSeqLength the limit the counts below refer to
 * @param overLimit good rows longer than {@code maxSeqLength}
 * @param dropLongRows whether those rows would be dropped (else truncated)
 */
public record DataInspection(
    List<Path> files,
    long rows,
    long badRows,
    List<String> badRowMessages,
    String schema,
    Optional<Sample> sample,
    Optional<Lengths> lengths,
    int maxSeqLength,
    long overLimit,
    boolean dropLongRows) {

  public DataInspection {
    files = List.copyOf(files);
    badRowMessages = List.copyOf(badRowMessages);
  }

  /** Rows that would be truncated to {@code maxSeqLength}. */
  public long wouldTruncate() {
    return dropLongRows ? 0 : overLimit;
  }

  /** Rows that would be dropped for their length. */
  public long wouldDrop() {
    return dropLongRows ? overLimit : 0;
  }

  /** One row rendered: its origin and its text in trained and untrained pieces. */
  public record Sample(RowOrigin origin, RenderedExample rendered) {}

  /** Token length percentiles (nearest rank) of the good rows, special tokens included. */
  public record Lengths(int min, int p50, int p90, int p95, int p99, int max, double mean) {}
}
