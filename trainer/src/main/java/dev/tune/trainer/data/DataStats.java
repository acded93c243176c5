package dev.tune.trainer.data;

import java.util.ArrayList;
import java.util.List;

/** Counts what one pass over a data set did with its rows; {@link #report()} snapshots them. */
final class DataStats {

  static final int KEPT_MESSAGES = 5;

  private long rows;
  private long examples;
  private long skippedBadRows;
  private long truncated;
  private long droppedTooLong;
  private long droppedNothingToTrain;
  private long tokens;
  private long trainedTokens;
  private long packedRows;
  private int longest;
  private final List<String> skipped = new ArrayList<>();

  void row() {
    rows++;
  }

  void skipped(BadRowException e) {
    skippedBadRows++;
    if (skipped.size() < KEPT_MESSAGES) {
      skipped.add(e.getMessage());
    }
  }

  void seenLength(int length) {
    longest = Math.max(longest, length);
  }

  void truncated() {
    truncated++;
  }

  void droppedTooLong() {
    droppedTooLong++;
  }

  void droppedNothingToTrain() {
    droppedNothingToTrain++;
  }

  void kept(TokenizedExample example) {
    examples++;
    tokens += example.length();
    trainedTokens += example.trainedTokens();
  }

  void packedRow() {
    packedRows++;
  }

  long rows() {
    return rows;
  }

  long examples() {
    return examples;
  }

  DataReport report() {
    return new DataReport(
        rows,
        examples,
        skippedBadRows,
        truncated,
        droppedTooLong,
        droppedNothingToTrain,
        tokens,
        trainedTokens,
        packedRows,
        longest,
        List.copyOf(skipped));
  }
}
