package dev.tune.trainer.generate;

import dev.tune.trainer.model.generation.FinishReason;
import java.util.List;
import java.util.Objects;

/**
 * What {@link TextGenerator} produced for one prompt.
 *
 * @param text the new tokens decoded, special tokens (such as the final end-of-sequence) left out
 * @param tokenIds the new token ids only; with {@link FinishReason#EOS} the last one is the
 *     end-of-sequence id, as transformers returns it
 * @param finishReason whether it stopped at an end-of-sequence id or at the length limit
 * @param promptTokens how many tokens the prompt took
 * @param seed the seed the sampling used
 */
public record GeneratedText(
    String text, List<Long> tokenIds, FinishReason finishReason, int promptTokens, long seed) {

  public GeneratedText {
    Objects.requireNonNull(text, "text");
    tokenIds = List.copyOf(tokenIds);
    Objects.requireNonNull(finishReason, "finishReason");
  }
}
