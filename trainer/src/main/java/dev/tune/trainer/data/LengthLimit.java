package dev.tune.trainer.data;

import dev.tune.core.train.TruncationSide;
import java.util.Arrays;

/**
 * Applies {@code max_seq_length}: an over-long example is truncated on the chosen side, or dropped
 * with {@code drop_long_rows}. An example left with no trained label is dropped too: it would only
 * add a zero to the loss.
 */
final class LengthLimit {

  private final int maxLength;
  private final TruncationSide side;
  private final boolean drop;

  LengthLimit(int maxLength, TruncationSide side, boolean drop) {
    this.maxLength = maxLength;
    this.side = side;
    this.drop = drop;
  }

  /** The example to train on, or {@code null} when it is dropped; counts what it did. */
  TokenizedExample apply(TokenizedExample example, DataStats stats) {
    stats.seenLength(example.length());
    TokenizedExample kept = example;
    if (example.length() > maxLength) {
      if (drop) {
        stats.droppedTooLong();
        return null;
      }
      int from = side == TruncationSide.LEFT ? example.length() - maxLength : 0;
      kept =
          TokenizedExample.single(
              Arrays.copyOfRange(example.inputIds(), from, from + maxLength),
              Arrays.copyOfRange(example.labels(), from, from + maxLength));
      stats.truncated();
    }
    if (kept.trainedTokens() == 0) {
      stats.droppedNothingToTrain();
      return null;
    }
    stats.kept(kept);
    return kept;
  }

  int maxLength() {
    return maxLength;
  }
}
