package dev.tune.trainer.data;

import java.util.List;

/**
 * What one pass over a data set did.
 *
 * @param rows records read from the files (bad ones included)
 * @param examples samples kept for training
 * @param skippedBadRows bad rows skipped with {@code skip_bad_rows}
 * @param truncated samples cut to {@code max_seq_length}
 * @param droppedTooLong samples dropped with {@code drop_long_rows}
 * @param droppedNothingToTrain samples with no trained token (after truncation)
 * @param tokens tokens of the kept samples
 * @param trainedTokens labels the loss counts in the kept samples
 * @param packedRows rows made by packing; 0 without packing
 * @param longest tokens of the longest sample before truncation
 * @param skippedExamples the messages of the first skipped rows
 */
public record DataReport(
    long rows,
    long examples,
    long skippedBadRows,
    long truncated,
    long droppedTooLong,
    long droppedNothingToTrain,
    long tokens,
    long trainedTokens,
    long packedRows,
    int longest,
    List<String> skippedExamples) {

  public DataReport {
    skippedExamples = List.copyOf(skippedExamples);
  }
}
