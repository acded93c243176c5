package dev.tune.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.error.BadInputException;
import org.junit.jupiter.api.Test;

class ModelMetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void readsFinalNumbersAndSamplesOfMetricsJson() throws Exception {
    ModelMetrics m =
        ModelMetrics.fromJson(
            JSON.readTree(
                """
                {"final": {"train_loss": 1.25, "eval_loss": 1.5, "stopped": "early"},
                 "samples": [{"prompt": "Hi", "before": "hi hi", "after": "Hello! -- bot"}],
                 "history": []}
                """));

    assertThat(m.finalMetrics()).containsOnlyKeys("train_loss", "eval_loss");
    assertThat(m.finalMetrics()).containsEntry("eval_loss", 1.5);
    assertThat(m.samples()).containsExactly(new SampleGeneration("Hi", "hi hi", "Hello! -- bot"));
  }

  @Test
  void aSampleWithoutItsTextsIsRejectedWithTheKeyNamed() {
    assertThatThrownBy(
            () ->
                ModelMetrics.fromJson(
                    JSON.readTree("{\"samples\": [{\"prompt\": \"Hi\", \"after\": \"x\"}]}")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'before'");
  }
}
