package dev.tune.trainer.data;

import java.util.Arrays;

/**
 * One row for the model: token ids, labels (-100 where nothing is trained), and for packed rows the
 * position of each token within its sample and the sample it belongs to. Position {@code t} is
 * trained to predict {@code labels[t + 1]}; the shift happens in the loss.
 *
 * <p>An unpacked example is one sample: positions {@code 0..n-1}, sequence ids all 0. A packed row
 * holds several samples back to back; feed {@code positionIds} and {@code sequenceIds} to the model
 * ({@code ForwardInput.withPositionIds/withSequenceIds}) so that no sample attends to another.
 *
 * @param inputIds the token ids
 * @param labels one label per token
 * @param positionIds the position of each token within its sample, from 0
 * @param sequenceIds which sample each token belongs to, from 0 in row order
 */
// Arrays, not copies: a data pass makes millions of these; equals/hashCode compare contents.
@SuppressWarnings("ArrayRecordComponent")
public record TokenizedExample(
    long[] inputIds, long[] labels, int[] positionIds, int[] sequenceIds) {

  /** The label of tokens that are not trained, as in PyTorch's cross-entropy. */
  public static final long IGNORE_INDEX = -100;

  public TokenizedExample {
    int n = inputIds.length;
    if (n == 0) {
      throw new IllegalArgumentException("an example needs at least one token");
    }
    if (labels.length != n || positionIds.length != n || sequenceIds.length != n) {
      throw new IllegalArgumentException(
          "an example needs one label, position and sequence id per token; got "
              + n
              + " ids, "
              + labels.length
              + " labels, "
              + positionIds.length
              + " positions, "
              + sequenceIds.length
              + " sequence ids");
    }
  }

  /** An example of one sample: positions {@code 0..n-1}, sequence id 0. */
  public static TokenizedExample single(long[] inputIds, long[] labels) {
    int[] positions = new int[inputIds.length];
    for (int t = 0; t < positions.length; t++) {
      positions[t] = t;
    }
    return new TokenizedExample(inputIds, labels, positions, new int[inputIds.length]);
  }

  public int length() {
    return inputIds.length;
  }

  /** How many samples the row holds (padding of a packed row counts as one). */
  public int samples() {
    return sequenceIds[sequenceIds.length - 1] + 1;
  }

  /** The labels the loss counts: positions {@code 1..n-1} that are not ignored. */
  public int trainedTokens() {
    int count = 0;
    for (int t = 1; t < labels.length; t++) {
      if (labels[t] != IGNORE_INDEX) {
        count++;
      }
    }
    return count;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenizedExample other
        && Arrays.equals(inputIds, other.inputIds)
        && Arrays.equals(labels, other.labels)
        && Arrays.equals(positionIds, other.positionIds)
        && Arrays.equals(sequenceIds, other.sequenceIds);
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(inputIds);
    h = 31 * h + Arrays.hashCode(labels);
    h = 31 * h + Arrays.hashCode(positionIds);
    return 31 * h + Arrays.hashCode(sequenceIds);
  }

  @Override
  public String toString() {
    return "TokenizedExample["
        + length()
        + " tokens, "
        + trainedTokens()
        + " trained, "
        + samples()
        + " sample(s)]";
  }
}
