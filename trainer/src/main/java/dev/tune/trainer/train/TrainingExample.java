package dev.tune.trainer.train;

import dev.tune.trainer.loss.CausalLmLoss;
import java.util.Arrays;

/**
 * One tokenized training record: the model reads {@code inputIds}; position {@code t} is trained to
 * predict {@code labels[t + 1]} (the causal shift happens in the loss), and labels equal to {@value
 * CausalLmLoss#IGNORE_INDEX} (prompt, padding) are not trained on.
 *
 * <p>A value: equal when both arrays are equal. The arrays are copied in and out.
 */
public final class TrainingExample {

  private final long[] inputIds;
  private final long[] labels;

  /**
   * @param inputIds the token ids, at least one
   * @param labels one label per input id
   */
  public TrainingExample(long[] inputIds, long[] labels) {
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

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingExample other
        && Arrays.equals(inputIds, other.inputIds)
        && Arrays.equals(labels, other.labels);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "TrainingExample[" + inputIds.length + " tokens, " + trainedTokens() + " trained]";
  }
}
