package dev.tune.trainer.model.generation;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.DecoderCache;
import dev.tune.trainer.model.ForwardInput;
import java.util.List;

/**
 * The model inputs of prompts of different lengths decoded together on one key/value cache, as
 * transformers' {@code generate} builds them: prompts left-padded to the longest, an attention mask
 * that hides the padding, and positions counted from each prompt's first real token. Every decoding
 * step appends one real token to each row.
 *
 * <p>When every prompt has the same length nothing is padded, and the inputs carry no mask and no
 * positions (the model's defaults are then the same). Mutable: the state of one decode loop, used
 * by one thread.
 */
public final class LeftPaddedBatch {

  private final int batch;
  private final int longest;
  private final int[] padding;
  private final long[] inputIds;
  private final boolean padded;
  private int length;

  private LeftPaddedBatch(List<long[]> prompts, long padId) {
    this.batch = prompts.size();
    this.longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
    this.padding = new int[batch];
    this.inputIds = new long[batch * longest];
    boolean anyPadding = false;
    for (int b = 0; b < batch; b++) {
      long[] prompt = prompts.get(b);
      int pad = longest - prompt.length;
      padding[b] = pad;
      anyPadding |= pad > 0;
      for (int t = 0; t < longest; t++) {
        inputIds[b * longest + t] = t >= pad ? prompt[t - pad] : padId;
      }
    }
    this.padded = anyPadding;
    this.length = longest;
  }

  /**
   * Left-pads {@code prompts} with {@code padId}.
   *
   * @throws IllegalArgumentException if there are no prompts
   */
  public static LeftPaddedBatch of(List<long[]> prompts, long padId) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one prompt");
    }
    return new LeftPaddedBatch(prompts, padId);
  }

  /** The number of prompts. */
  public int size() {
    return batch;
  }

  /** Whether any prompt is shorter than the longest, so that mask and positions are needed. */
  public boolean padded() {
    return padded;
  }

  /** The prompts' {@code [batch, longest]} token ids, row-major, padding first. */
  public long[] inputIds() {
    return inputIds.clone();
  }

  /**
   * The {@code [batch, length]} attention mask over every position so far, row-major: 0 for
   * padding, 1 for prompt and generated tokens.
   */
  public long[] attentionMask() {
    long[] mask = new long[batch * length];
    for (int b = 0; b < batch; b++) {
      for (int t = padding[b]; t < length; t++) {
        mask[b * length + t] = 1;
      }
    }
    return mask;
  }

  /**
   * The prompts' {@code [batch, longest]} position ids, row-major: transformers' {@code
   * cumsum(mask) - 1} with padded slots set to 1.
   */
  public long[] promptPositionIds() {
    long[] positions = new long[batch * longest];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < longest; t++) {
        positions[b * longest + t] = t >= padding[b] ? t - padding[b] : 1;
      }
    }
    return positions;
  }

  /** The {@code [batch]} positions of the tokens the last {@link #step} added. */
  public long[] stepPositionIds() {
    long[] positions = new long[batch];
    for (int b = 0; b < batch; b++) {
      positions[b] = (long) length - 1 - padding[b];
    }
    return positions;
  }

  /** Makes room for one more real token in every row. */
  private void advance() {
    length++;
  }

  /** The prefill pass's inputs: every prompt token, logits of the last position only. */
  public ForwardInput prefill(NDManager manager, DecoderCache cache) {
    ForwardInput input =
        ForwardInput.of(manager.create(inputIds, new Shape(batch, longest)))
            .withCache(cache)
            .withLastPositionOnly();
    if (padded) {
      input =
          input
              .withAttentionMask(manager.create(attentionMask(), new Shape(batch, length)))
              .withPositionIds(manager.create(promptPositionIds(), new Shape(batch, longest)));
    }
    return input;
  }

  /**
   * Advances the batch and returns the inputs of one decoding step.
   *
   * @param next one token per row; finished rows pass any token (their output is ignored)
   */
  public ForwardInput step(NDManager manager, DecoderCache cache, long[] next) {
    if (next.length != batch) {
      throw new IllegalArgumentException(
          "a step needs one token per row: " + batch + " rows, got " + next.length + " tokens");
    }
    advance();
    ForwardInput input =
        ForwardInput.of(manager.create(next, new Shape(batch, 1)))
            .withCache(cache)
            .withLastPositionOnly();
    if (padded) {
      input =
          input
              .withAttentionMask(manager.create(attentionMask(), new Shape(batch, length)))
              .withPositionIds(manager.create(stepPositionIds(), new Shape(batch, 1)));
    }
    return input;
  }
}
