package dev.tune.trainer.model.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.CausalLmTestSupport;
import dev.tune.trainer.model.DecoderCache;
import dev.tune.trainer.model.ForwardInput;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Left padding, mask and positions of prompts of different lengths, as transformers builds them.
 */
class LeftPaddedBatchTest {

  private static final long PAD = 9;

  @Test
  void shorterPromptsArePaddedOnTheLeftAndMaskedOut() {
    LeftPaddedBatch batch = LeftPaddedBatch.of(List.of(new long[] {4, 5, 6}, new long[] {7}), PAD);

    assertThat(batch.size()).isEqualTo(2);
    assertThat(batch.padded()).isTrue();
    assertThat(batch.inputIds()).containsExactly(4, 5, 6, PAD, PAD, 7);
    assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 0, 0, 1);
    // cumsum(mask) - 1, padded slots set to 1
    assertThat(batch.promptPositionIds()).containsExactly(0, 1, 2, 1, 1, 0);
  }

  @Test
  void eachStepExtendsTheMaskAndContinuesEveryRowsPositions() {
    LeftPaddedBatch batch = LeftPaddedBatch.of(List.of(new long[] {4, 5, 6}, new long[] {7}), PAD);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLmTestSupport.randomModel("mistral", m);
        DecoderCache cache = model.newCache()) {
      ForwardInput first = batch.step(m, cache, new long[] {1, 2});
      assertThat(batch.stepPositionIds()).containsExactly(3, 1);
      assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 1, 0, 0, 1, 1);
      assertThat(first.inputIds().toLongArray()).containsExactly(1, 2);
      assertThat(first.attentionMask().orElseThrow().toLongArray())
          .containsExactly(1, 1, 1, 1, 0, 0, 1, 1);
      assertThat(first.positionIds().orElseThrow().toLongArray()).containsExactly(3, 1);

      batch.step(m, cache, new long[] {3, 4});
      assertThat(batch.stepPositionIds()).containsExactly(4, 2);
    }
  }

  @Test
  void promptsOfOneLengthNeedNoMaskOrPositions() {
    LeftPaddedBatch batch = LeftPaddedBatch.of(List.of(new long[] {4, 5}, new long[] {6, 7}), PAD);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLmTestSupport.randomModel("mistral", m);
        DecoderCache cache = model.newCache()) {
      ForwardInput prefill = batch.prefill(m, cache);
      assertThat(batch.padded()).isFalse();
      assertThat(prefill.inputIds().toLongArray()).containsExactly(4, 5, 6, 7);
      assertThat(prefill.attentionMask()).isEmpty();
      assertThat(prefill.positionIds()).isEmpty();
      assertThat(prefill.lastPositionOnly()).isTrue();
      assertThat(prefill.cache()).containsSame(cache);
    }
  }

  @Test
  void aBatchNeedsAPromptAndAStepOneTokenPerRow() {
    assertThatThrownBy(() -> LeftPaddedBatch.of(List.of(), PAD))
        .isInstanceOf(IllegalArgumentException.class);
    LeftPaddedBatch batch = LeftPaddedBatch.of(List.of(new long[] {4}), PAD);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLmTestSupport.randomModel("mistral", m);
        DecoderCache cache = model.newCache()) {
      assertThatThrownBy(() -> batch.step(m, cache, new long[] {1, 2}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one token per row");
    }
  }
}
