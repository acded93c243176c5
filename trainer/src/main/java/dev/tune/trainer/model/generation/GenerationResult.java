package dev.tune.trainer.model.generation;

import java.util.Arrays;
import java.util.Objects;

/** The new tokens of one sequence and why it stopped. */
public final class GenerationResult {

  private final long[] tokens;
  private final FinishReason finishReason;

  /**
   * @param tokens the generated ids only (not the prompt); with {@link FinishReason#EOS} the last
   *     one is the end-of-sequence id, as transformers returns it
   */
  public GenerationResult(long[] tokens, FinishReason finishReason) {
    this.tokens = tokens.clone();
    this.finishReason = Objects.requireNonNull(finishReason, "finishReason");
  }

  public long[] tokens() {
    return tokens.clone();
  }

  public FinishReason finishReason() {
    return finishReason;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerationResult r
        && Arrays.equals(tokens, r.tokens)
        && finishReason == r.finishReason;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + finishReason.hashCode();
  }

  @Override
  public String toString() {
    return Arrays.toString(tokens) + " (" + finishReason + ")";
  }
}
