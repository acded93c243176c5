package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.trainer.model.generation.GenerationResult;
import dev.tune.trainer.model.generation.Generator;
import dev.tune.trainer.model.generation.SamplingParams;
import dev.tune.trainer.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The five tiny checkpoints against what transformers 5.17 computed for them ({@code
 * reference.safetensors}, made by {@code tools/fixtures/make_hf_fixtures.py}).
 */
class HfFixturesTest {

  /** Shifted mean next-token cross-entropy with labels = ids, as {@code ForCausalLMLoss}. */
  static float shiftedMeanCrossEntropy(NDArray logits, NDArray ids) {
    NDArray logProbs = logits.toType(DataType.FLOAT32, false).get(":, :-1, :").logSoftmax(-1);
    NDArray targets = ids.get(":, 1:").expandDims(-1);
    return logProbs.gather(targets, -1).neg().mean().getFloat();
  }

  private static NDArray reference(Path dir, String name, NDManager m) {
    try (SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
      return ref.load(name, m);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void logitsAndLossMatchTransformers(String fixture) {
    Path dir = Fixtures.dir(fixture);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(dir, m, LoadOptions.defaults())) {
      NDArray ids = reference(dir, "input_ids", m);
      NDArray expected = reference(dir, "logits", m);
      NDArray logits = model.logits(ids);
      assertThat(logits.getShape()).isEqualTo(expected.getShape());
      float maxDiff = logits.sub(expected).abs().max().getFloat();
      float loss = shiftedMeanCrossEntropy(logits, ids);
      float expectedLoss = reference(dir, "loss", m).getFloat(0);
      System.out.printf(
          "%s: logits max abs diff %.3g, loss %.8f vs %.8f (rel %.3g)%n",
          fixture, maxDiff, loss, expectedLoss, Math.abs(loss - expectedLoss) / expectedLoss);
      assertThat(maxDiff).isLessThanOrEqualTo(1e-4f);
      assertThat((double) loss).isCloseTo(expectedLoss, within(1e-5 * expectedLoss));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void greedyTokensMatchTransformers(String fixture) {
    Path dir = Fixtures.dir(fixture);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(dir, m, LoadOptions.defaults())) {
      long[] prompt = reference(dir, "prompt_ids", m).toLongArray();
      long[] greedy = reference(dir, "greedy_ids", m).toLongArray();
      // The fixture generated 10 tokens without stopping at EOS.
      GenerationResult result =
          new Generator(model)
              .generate(prompt, SamplingParams.greedy(greedy.length - prompt.length));
      assertThat(Arrays.copyOf(greedy, prompt.length)).containsExactly(prompt);
      assertThat(result.tokens())
          .containsExactly(Arrays.copyOfRange(greedy, prompt.length, greedy.length));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void evalLossesOfTheReferenceTextsMatchTransformers(String fixture) throws IOException {
    Path dir = Fixtures.dir(fixture);
    JsonNode texts =
        new ObjectMapper().readTree(dir.resolve("reference-texts.json").toFile()).get("eval_texts");
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(dir, m, LoadOptions.defaults());
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir)) {
      double[] expected = reference(dir, "eval_record_losses", m).toDoubleArray();
      double expectedMean = reference(dir, "eval_mean_loss", m).getDouble(0);
      long expectedCount = reference(dir, "eval_token_count", m).getLong(0);
      double total = 0;
      long count = 0;
      for (int i = 0; i < texts.size(); i++) {
        long[] ids = tokenizer.encode(texts.get(i).asText()).getIds();
        NDArray input = m.create(ids, new Shape(1, ids.length));
        float loss = shiftedMeanCrossEntropy(model.logits(input), input);
        assertThat((double) loss)
            .as("record %d", i)
            .isCloseTo(expected[i], within(1e-5 * expected[i]));
        total += loss * (ids.length - 1);
        count += ids.length - 1;
      }
      assertThat(count).isEqualTo(expectedCount);
      assertThat(total / count).isCloseTo(expectedMean, within(1e-5 * expectedMean));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void cachedLogitsEqualUncachedOnTheReferenceWeights(String fixture) {
    Path dir = Fixtures.dir(fixture);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(dir, m, LoadOptions.defaults());
        DecoderCache cache = model.newCache()) {
      NDArray ids = reference(dir, "input_ids", m);
      NDArray full = model.logits(ids);
      float maxDiff = 0;
      NDArray prefill = model.forward(ForwardInput.of(ids.get(":, :8")).withCache(cache));
      maxDiff = Math.max(maxDiff, prefill.sub(full.get(":, :8, :")).abs().max().getFloat());
      for (int t = 8; t < ids.getShape().get(1); t++) {
        NDArray step =
            model.forward(ForwardInput.of(ids.get(":, {}:{}", t, t + 1)).withCache(cache));
        maxDiff =
            Math.max(maxDiff, step.sub(full.get(":, {}:{}, :", t, t + 1)).abs().max().getFloat());
      }
      System.out.printf("%s: cached vs uncached max abs diff %.3g%n", fixture, maxDiff);
      assertThat(maxDiff).isLessThanOrEqualTo(1e-5f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void float16StaysCloseToTheReference(String fixture) {
    Path dir = Fixtures.dir(fixture);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model =
            CausalLm.load(dir, m, LoadOptions.defaults().withComputeDtype(DataType.FLOAT16))) {
      NDArray ids = reference(dir, "input_ids", m);
      NDArray expected = reference(dir, "logits", m);
      NDArray logits = model.logits(ids).toType(DataType.FLOAT32, false);
      float maxDiff = logits.sub(expected).abs().max().getFloat();
      float scale = expected.abs().max().getFloat();
      System.out.printf(
          "%s: float16 logits max abs diff %.3g (max |logit| %.3g)%n", fixture, maxDiff, scale);
      assertThat(maxDiff).isLessThan(0.02f * scale);
    }
  }
}
