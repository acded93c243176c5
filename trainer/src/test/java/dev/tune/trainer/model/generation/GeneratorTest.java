package dev.tune.trainer.model.generation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.CausalLmTestSupport;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Generation on random weights: greedy against step-by-step argmax, batching, stopping. */
class GeneratorTest {

  private static final long[] PROMPT = {0, 17, 230, 5, 99};

  /** Greedy decoding spelled out without a cache: append the argmax of the full forward. */
  private static long[] uncachedGreedy(CausalLm model, NDManager m, long[] prompt, int n) {
    long[] seq = prompt.clone();
    for (int i = 0; i < n; i++) {
      NDArray logits = model.logits(m.create(seq, new Shape(1, seq.length)));
      long next = logits.get(0, seq.length - 1).argMax().getLong();
      seq = Arrays.copyOf(seq, seq.length + 1);
      seq[seq.length - 1] = next;
    }
    return Arrays.copyOfRange(seq, prompt.length, seq.length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mistral", "falcon-mq"})
  void cachedGreedyEqualsUncachedArgmax(String fixture) {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLmTestSupport.randomModel(fixture, m)) {
      GenerationResult r = new Generator(model).generate(PROMPT, SamplingParams.greedy(8));
      assertThat(r.tokens()).containsExactly(uncachedGreedy(model, m, PROMPT, 8));
      assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "falcon-newarch"})
  void aLeftPaddedBatchGeneratesWhatEachPromptGeneratesAlone(String fixture) {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLmTestSupport.randomModel(fixture, m)) {
      Generator generator = new Generator(model);
      long[] shorter = {0, 44, 3};
      SamplingParams greedy = SamplingParams.greedy(6);
      List<GenerationResult> batch = generator.generate(List.of(PROMPT, shorter), greedy);
      assertThat(batch.get(0)).isEqualTo(generator.generate(PROMPT, greedy));
      assertThat(batch.get(1)).isEqualTo(generator.generate(shorter, greedy));
    }
  }

  @Test
  void stopsAfterAnEndOfSequenceId() {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLmTestSupport.randomModel("llama", m)) {
      Generator generator = new Generator(model);
      long[] free = generator.generate(PROMPT, SamplingParams.greedy(8)).tokens();
      int eos = (int) free[3];
      int firstEos = 0;
      while (free[firstEos] != eos) {
        firstEos++;
      }
      GenerationResult stopped =
          generator.generate(PROMPT, SamplingParams.greedy(8).withEosTokenIds(Set.of(eos, 511)));
      assertThat(stopped.finishReason()).isEqualTo(FinishReason.EOS);
      assertThat(stopped.tokens()).containsExactly(Arrays.copyOf(free, firstEos + 1));
    }
  }

  @Test
  void samplingIsReproducibleForASeedAndRespectsTheLength() {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLmTestSupport.randomModel("falcon-mq", m)) {
      Generator generator = new Generator(model);
      SamplingParams p =
          SamplingParams.greedy(7).withTemperature(1.5).withTopK(50).withTopP(0.95).withSeed(11);
      GenerationResult a = generator.generate(PROMPT, p);
      assertThat(a.tokens()).hasSize(7);
      assertThat(generator.generate(PROMPT, p)).isEqualTo(a);
      assertThat(generator.generate(PROMPT, p.withMaxNewTokens(0)).tokens()).isEmpty();
    }
  }
}
