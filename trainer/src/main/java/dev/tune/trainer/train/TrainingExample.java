package dev.tune.trainer.train;

import dev.tune.trainer.data.TokenizedExample;
import dev.tune.trainer.loss.CausalLmLoss;
import java.util.Arrays;
import java.util.Optional;

/**
 * One tokenized training record: the model reads {@code inputIds}; position {@code t} is trained to
 * predict {@code labels[t + 1]} (the causal shift happens in the loss), and labels equal to {@value
 * CausalLmLoss#IGNORE_INDEX} (prompt, padding) are not trained on.
 *
 * <p>A packed example holds several samples back to back (see {@link #packed}): each token carries
 * its position within its sample and the sample it belongs to, and the model attends only within a
 * sample, so the loss is that of the samples trained one by one.
 *
 * <p>A value: equal when all arrays are equal. The arrays are copied in and out.
 */
public final class TrainingExample {

  private final long[] inputIds;
  private final long[] labels;
  // null for one sample (positions 0..n-1, one sequence): the model's defaults
  private final int[] positionIds;
  private final int[] sequenceIds;

  /**
   * An example of one sample.
   *
   * @param inputIds the token ids, at least one
   * @param labels one label per input id
   */
  public TrainingExample(long[] inputIds, long[] labels) {
    this(inputIds, labels, null, null);
  }

  private TrainingExample(long[] inputIds, long[] labels, int[] positionIds, int[] sequenceIds) {
    if (inputIds == null || labels == null) {
      throw new IllegalArgumentException("a training example needs input ids and labels");
    }
    if (inputIds.length == 0) {
      throw new IllegalArgumentException("a training example needs at least one token");
    }
    if (labels.length != inputIds.length) {
      throw new IllegalArgumentException(
          "a training example has "
              + inputIds.length
              + " input ids but "
              + labels.length
              + " labels; give one label per token (-100 where nothing is learned)");
    }
    this.inputIds = inputIds.clone();
    this.labels = labels.clone();
    boolean single = positionIds == null || isSingleSample(positionIds, sequenceIds);
    this.positionIds = single ? null : positionIds.clone();
    this.sequenceIds = single ? null : sequenceIds.clone();
  }

  /**
   * A packed example: several samples back to back in one row. A token attends only to earlier
   * tokens with its sequence id, and is embedded at its position id.
   *
   * @param positionIds each token's position within its sample, from 0
   * @param sequenceIds which sample each token belongs to
   */
  public static TrainingExample packed(
      long[] inputIds, long[] labels, int[] positionIds, int[] sequenceIds) {
    if (positionIds == null || sequenceIds == null) {
      throw new IllegalArgumentException("a packed example needs position ids and sequence ids");
    }
    if (positionIds.length != inputIds.length || sequenceIds.length != inputIds.length) {
      throw new IllegalArgumentException(
          "a packed example has "
              + inputIds.length
              + " input ids but "
              + positionIds.length
              + " position ids and "
              + sequenceIds.length
              + " sequence ids; give one of each per token");
    }
    for (int t = 0; t < positionIds.length; t++) {
      if (positionIds[t] < 0) {
        throw new IllegalArgumentException(
            "position id "
                + positionIds[t]
                + " at token "
                + t
                + " is negative; positions start at 0");
      }
    }
    return new TrainingExample(inputIds, labels, positionIds, sequenceIds);
  }

  /**
   * The example the data pipeline's {@code example} is for the trainer: packed when it holds
   * several samples, else a plain one.
   */
  public static TrainingExample of(TokenizedExample example) {
    return packed(
        example.inputIds(), example.labels(), example.positionIds(), example.sequenceIds());
  }

  private static boolean isSingleSample(int[] positionIds, int[] sequenceIds) {
    for (int t = 0; t < positionIds.length; t++) {
      if (positionIds[t] != t || sequenceIds[t] != sequenceIds[0]) {
        return false;
      }
    }
    return true;
  }

  /**
   * An example that learns every token: the labels are the input ids (plain language modelling).
   */
  public static TrainingExample ofText(long[] ids) {
    return new TrainingExample(ids, ids);
  }

  /**
   * A prompt/completion pair: the model reads both, and learns only the completion's tokens, as
   * instruction tuning does.
   */
  public static TrainingExample ofCompletion(long[] prompt, long[] completion) {
    long[] ids = new long[prompt.length + completion.length];
    System.arraycopy(prompt, 0, ids, 0, prompt.length);
    System.arraycopy(completion, 0, ids, prompt.length, completion.length);
    long[] labels = ids.clone();
    Arrays.fill(labels, 0, prompt.length, CausalLmLoss.IGNORE_INDEX);
    return new TrainingExample(ids, labels);
  }

  /** The token ids (a copy). */
  public long[] inputIds() {
    return inputIds.clone();
  }

  /** The labels (a copy). */
  public long[] labels() {
    return labels.clone();
  }

  /** Each token's position within its sample; empty for one sample (positions {@code 0..n-1}). */
  public Optional<int[]> positionIds() {
    return Optional.ofNullable(positionIds).map(int[]::clone);
  }

  /** Which sample each token belongs to; empty for one sample. */
  public Optional<int[]> sequenceIds() {
    return Optional.ofNullable(sequenceIds).map(int[]::clone);
  }

  /** Whether the example holds several samples (and so carries position and sequence ids). */
  public boolean isPacked() {
    return positionIds != null;
  }

  public int length() {
    return inputIds.length;
  }

  /**
   * How many labels the loss counts: positions {@code 1..n-1} whose label is not ignored (the first
   * label has no position before it to predict it).
   */
  public int trainedTokens() {
    int count = 0;
    for (int t = 1; t < labels.length; t++) {
      if (labels[t] != CausalLmLoss.IGNORE_INDEX) {
        count++;
      }
    }
    return count;
  }

  long inputId(int t) {
    return inputIds[t];
  }

  long label(int t) {
    return labels[t];
  }

  /** Position id of token {@code t}: {@code t} itself for one sample. */
  long positionId(int t) {
    return positionIds == null ? t : positionIds[t];
  }

  /** Sequence id of token {@code t}: 0 for one sample. */
  long sequenceId(int t) {
    return sequenceIds == null ? 0 : sequenceIds[t];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingExample other
        && Arrays.equals(inputIds, other.inputIds)
        && Arrays.equals(labels, other.labels)
        && Arrays.equals(positionIds, other.positionIds)
        && Arrays.equals(sequenceIds, other.sequenceIds);
  }

  @Override
  public int hashCode() {
    int h = 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(labels);
    return 31 * (31 * h + Arrays.hashCode(positionIds)) + Arrays.hashCode(sequenceIds);
  }

  @Override
  public String toString() {
    return "TrainingExample["
        + inputIds.length
        + " tokens, "
        + trainedTokens()
        + " trained"
        + (isPacked() ? ", packed" : "")
        + "]";
  }
}
