package dev.tune.trainer.model.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tune.core.error.BadInputException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {

  private static final float[] LOGITS = {1.0f, 3.0f, 2.5f, -1.0f, 0.0f, 2.9f};

  private static int[] counts(SamplingParams p, int draws) {
    TokenSampler sampler = new TokenSampler(p);
    SplittableRandom random = new SplittableRandom(p.seed());
    int[] counts = new int[LOGITS.length];
    for (int i = 0; i < draws; i++) {
      counts[sampler.pick(LOGITS, random)]++;
    }
    return counts;
  }

  @Test
  void greedyPicksTheLargestLogit() {
    assertThat(new TokenSampler(SamplingParams.greedy(1)).pick(LOGITS, new SplittableRandom(1)))
        .isEqualTo(1);
  }

  @Test
  void samplingFollowsTheSoftmaxOfTemperatureScaledLogits() {
    double t = 0.8;
    SamplingParams p = SamplingParams.greedy(1).withTemperature(t).withSeed(42);
    int draws = 200_000;
    int[] counts = counts(p, draws);
    double sum = 0;
    for (float l : LOGITS) {
      sum += Math.exp(l / t);
    }
    for (int i = 0; i < LOGITS.length; i++) {
      double expected = Math.exp(LOGITS[i] / t) / sum;
      assertThat(counts[i] / (double) draws).as("token %d", i).isCloseTo(expected, within(0.005));
    }
  }

  @Test
  void topKKeepsOnlyTheKMostLikely() {
    int[] counts =
        counts(SamplingParams.greedy(1).withTemperature(1).withTopK(2).withSeed(3), 10_000);
    assertThat(counts[1] + counts[5]).isEqualTo(10_000);
    assertThat(counts[1]).isGreaterThan(counts[5]);
    assertThat(counts[5]).isPositive();
  }

  @Test
  void topPKeepsTheSmallestSetReachingP() {
    // probabilities at t=1: token1 .359, token5 .325, token2 .218, ... ; p=0.6 keeps {1, 5}
    int[] counts =
        counts(SamplingParams.greedy(1).withTemperature(1).withTopP(0.6).withSeed(5), 10_000);
    assertThat(counts[1] + counts[5]).isEqualTo(10_000);
    assertThat(counts[5]).isPositive();
    int[] one = counts(SamplingParams.greedy(1).withTemperature(1).withTopP(0.01).withSeed(5), 100);
    assertThat(one[1]).isEqualTo(100);
  }

  @Test
  void theSameSeedDrawsTheSameTokens() {
    SamplingParams p = SamplingParams.greedy(1).withTemperature(1.3).withSeed(99);
    assertThat(counts(p, 50)).containsExactly(counts(p, 50));
  }

  @Test
  void refusesNonsenseParameters() {
    assertThatThrownBy(() -> SamplingParams.greedy(1).withTopP(0))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("top_p");
    assertThatThrownBy(() -> SamplingParams.greedy(1).withTemperature(-1))
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> SamplingParams.greedy(-1)).hasMessageContaining("max_new_tokens");
  }
}
