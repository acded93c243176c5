package dev.tune.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tune.trainer.export.MergeRequest;
import dev.tune.trainer.export.ModelMerger;
import dev.tune.trainer.fixtures.HfFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Evaluator} against the pooled eval loss transformers computed for the fixtures. */
class EvaluatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /** The fixture's eval texts as JSON Lines, with a blank line and an extra field thrown in. */
  private Path evalData(String model) throws IOException {
    JsonNode texts =
        JSON.readTree(HfFixtures.dir(model).resolve("reference-texts.json").toFile())
            .get("eval_texts");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      lines.add(
          JsonNodeFactory.instance
              .objectNode()
              .put("id", i)
              .put("text", texts.get(i).asText())
              .toString());
      if (i == 0) {
        lines.add("");
      }
    }
    return Files.write(tmp.resolve("eval.jsonl"), lines);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void thePooledLossEqualsTransformersForAnyBatchSize(String model) throws IOException {
    Path data = evalData(model);
    double expected;
    long expectedTokens;
    try (NDManager m = NDManager.newBaseManager()) {
      Path dir = HfFixtures.dir(model);
      expected = HfFixtures.reference(dir, "eval_mean_loss", m).getDouble(0);
      expectedTokens = HfFixtures.reference(dir, "eval_token_count", m).getLong(0);
    }
    for (int batchSize : new int[] {1, 2, 8}) {
      EvalResult result =
          Evaluator.evaluate(
              EvalRequest.builder()
                  .modelDir(HfFixtures.dir(model))
                  .dataFile(data)
                  .batchSize(batchSize)
                  .build());
      System.out.printf(
          "%s batch %d: loss %.9f vs transformers %.9f (rel %.2g)%n",
          model, batchSize, result.loss(), expected, Math.abs(result.loss() - expected) / expected);
      assertThat(result.loss()).isCloseTo(expected, within(1e-5 * expected));
      assertThat(result.tokens()).isEqualTo(expectedTokens);
      assertThat(result.records()).isEqualTo(3);
      assertThat(result.perplexity()).isEqualTo(Math.exp(result.loss()));
    }
  }

  @Test
  void theAdapterUnmergedScoresWhatTheMergedModelScores() throws IOException {
    Path data = evalData("mistral");
    Path merged = tmp.resolve("merged");
    ModelMerger.merge(
        MergeRequest.builder()
            .baseDir(HfFixtures.dir("mistral"))
            .adapterDir(HfFixtures.adapter("mistral"))
            .outputDir(merged)
            .build());

    EvalResult base =
        Evaluator.evaluate(
            EvalRequest.builder().modelDir(HfFixtures.dir("mistral")).dataFile(data).build());
    EvalResult adapted =
        Evaluator.evaluate(
            EvalRequest.builder()
                .modelDir(HfFixtures.dir("mistral"))
                .adapterDir(HfFixtures.adapter("mistral"))
                .dataFile(data)
                .build());
    EvalResult mergedResult =
        Evaluator.evaluate(EvalRequest.builder().modelDir(merged).dataFile(data).build());

    System.out.printf(
        "mistral eval loss: base %.6f, with adapter %.6f, merged %.6f%n",
        base.loss(), adapted.loss(), mergedResult.loss());
    assertThat(adapted.loss()).isCloseTo(mergedResult.loss(), within(1e-5 * adapted.loss()));
    assertThat(Math.abs(adapted.loss() - base.loss())).isGreaterThan(1e-3);
    assertThat(adapted.tokens()).isEqualTo(base.tokens());
  }
}
