package dev.tune.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withPrecision;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.trainer.reference.ReferenceTraces;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Replays transformers' ForCausalLMLoss traces (reference-traces/loss). */
class LossReferenceTraceTest {

  @Test
  void replaysEveryLossTrace() {
    List<Path> traces = ReferenceTraces.list("loss");
    assumeFalse(
        traces.isEmpty(),
        "no loss reference traces yet: run reference-traces/make_traces.py (see its README)");
    assertAll(
        traces.stream()
            .map(
                path -> (Executable) () -> replay(ReferenceTraces.read(path), path.getFileName())));
  }

  private static void replay(JsonNode trace, Object source) {
    assertThat(trace.get("kind").asText()).isEqualTo("causal_lm_loss");
    JsonNode tolerance = trace.get("tolerance");
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = ReferenceTraces.floatArray(trace.get("logits"), manager);
      if (trace.get("logits").get("dtype").asText().equals("float16")) {
        logits = logits.toType(DataType.FLOAT16, false);
      }
      logits.setRequiresGradient(true);
      NDArray labels =
          manager.create(
              ReferenceTraces.longs(trace.get("labels")),
              ReferenceTraces.shape(trace.get("labels")));
      NDArray loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        loss = CausalLmLoss.mean(logits, labels);
        collector.backward(loss);
      }
      assertThat((double) loss.getFloat())
          .as("%s: loss", source)
          .isCloseTo(trace.get("loss").asDouble(), within(tolerance.get("loss_abs").asDouble()));
      float[] gradient = logits.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
      assertThat(gradient)
          .as("%s: d loss / d logits", source)
          .containsExactly(
              ReferenceTraces.floats(trace.get("logits_grad")),
              withPrecision((float) tolerance.get("grad_abs").asDouble()));
    }
  }
}
