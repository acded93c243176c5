package dev.tune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withPrecision;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.trainer.reference.ReferenceTraces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Replays the optimizer traces that torch and bitsandbytes produced (reference-traces/optim). */
class ReferenceTraceTest {

  @Test
  void replaysEveryOptimizerTrace() {
    List<Path> traces = ReferenceTraces.list("optim");
    assumeFalse(
        traces.isEmpty(),
        "no optimizer reference traces yet: run reference-traces/make_traces.py (see its README)");
    assertAll(
        traces.stream()
            .map(
                path -> (Executable) () -> replay(ReferenceTraces.read(path), path.getFileName())));
  }

  @Test
  void theReplayFailsOnAWeightBeyondTheTolerance() {
    ObjectNode trace = traceOfThisAdamW();
    replay(trace, "own trace");

    ObjectNode lastStep = (ObjectNode) trace.get("steps").get(1);
    float[] after = ReferenceTraces.floats(lastStep.get("params_after").get("w"));
    after[2] += 2e-6f;
    ((ObjectNode) lastStep.get("params_after"))
        .set("w", ReferenceTraces.encode(after, new Shape(4)));

    assertThatThrownBy(() -> replay(trace, "perturbed trace")).isInstanceOf(AssertionError.class);
  }

  /** Runs the trace's steps through our optimizer and compares weights and state. */
  static void replay(JsonNode trace, Object source) {
    assertThat(trace.get("kind").asText()).isEqualTo("optimizer");
    JsonNode o = trace.get("options");
    AdamWOptions options =
        new AdamWOptions(
            o.get("beta1").asDouble(),
            o.get("beta2").asDouble(),
            o.get("eps").asDouble(),
            o.get("weight_decay").asDouble());
    JsonNode tolerance = trace.get("tolerance");
    float paramAbs = (float) tolerance.get("param_abs").asDouble();
    double stateRel = tolerance.get("state_rel").asDouble();
    double codeMismatch = tolerance.get("code_mismatch_fraction").asDouble();

    try (NDManager manager = NDManager.newBaseManager();
        Optimizer optimizer =
            OptimizerName.fromConfigName(trace.get("optim").asText()).create(options, manager)) {
      Map<String, NDArray> params = new LinkedHashMap<>();
      List<TrainableParameter> trainable = new ArrayList<>();
      for (Map.Entry<String, JsonNode> entry : trace.get("params").properties()) {
        NDArray array = ReferenceTraces.floatArray(entry.getValue(), manager);
        array.setRequiresGradient(true);
        params.put(entry.getKey(), array);
        trainable.add(TrainableParameter.of(entry.getKey(), array));
      }
      int stepNumber = 0;
      for (JsonNode step : trace.get("steps")) {
        stepNumber++;
        for (Map.Entry<String, NDArray> param : params.entrySet()) {
          Gradients.set(
              param.getValue(), ReferenceTraces.floats(step.get("grads").get(param.getKey())));
        }
        optimizer.step(trainable, step.get("lr").asDouble());
        for (Map.Entry<String, NDArray> param : params.entrySet()) {
          assertThat(param.getValue().toFloatArray())
              .as("%s: %s after step %d", source, param.getKey(), stepNumber)
              .containsExactly(
                  ReferenceTraces.floats(step.get("params_after").get(param.getKey())),
                  withPrecision(paramAbs));
        }
        try (OptimizerState state = optimizer.state(manager)) {
          compareState(step.get("state"), state, stepNumber, stateRel, codeMismatch);
        }
      }
    }
  }

  private static void compareState(
      JsonNode expected, OptimizerState actual, int step, double stateRel, double codeMismatch) {
    if (expected == null) {
      return;
    }
    for (Map.Entry<String, JsonNode> entry : expected.properties()) {
      NDArray ours = actual.tensors().get(entry.getKey());
      assertThat(ours).as("our state has %s", entry.getKey()).isNotNull();
      assertThat(ours.getShape()).isEqualTo(ReferenceTraces.shape(entry.getValue()));
      if (ours.getDataType() == DataType.UINT8) {
        int[] theirs = ReferenceTraces.unsignedBytes(entry.getValue());
        byte[] mine = ours.toByteArray();
        int mismatches = 0;
        for (int i = 0; i < theirs.length; i++) {
          if ((mine[i] & 0xFF) != theirs[i]) {
            mismatches++;
          }
        }
        assertThat(mismatches)
            .as("%s codes differing after step %d", entry.getKey(), step)
            .isLessThanOrEqualTo((int) Math.floor(codeMismatch * theirs.length));
      } else {
        float[] theirs = ReferenceTraces.floats(entry.getValue());
        float[] mine = ours.toFloatArray();
        for (int i = 0; i < theirs.length; i++) {
          double scale = Math.max(Math.abs(theirs[i]), 1e-30);
          assertThat(Math.abs(mine[i] - theirs[i]) / scale)
              .as(
                  "%s[%d] after step %d: ours %s, theirs %s",
                  entry.getKey(), i, step, mine[i], theirs[i])
              .isLessThanOrEqualTo(stateRel);
        }
      }
    }
  }

  /** A two-step trace of our own AdamW, in the format make_traces.py writes. */
  private static ObjectNode traceOfThisAdamW() {
    float[] start = {0.5f, -1f, 2f, 0.25f};
    float[][] grads = {{0.1f, 0.2f, -0.3f, 0f}, {-0.2f, 0.1f, 0.4f, 0.5f}};
    double[] lrs = {0.1, 0.05};
    AdamWOptions options = new AdamWOptions(0.9, 0.999, 1e-8, 0.01);
    ObjectNode trace = ReferenceTraces.object();
    trace.put("kind", "optimizer");
    trace.put("optim", "adamw_torch");
    ObjectNode o = trace.putObject("options");
    o.put("beta1", 0.9);
    o.put("beta2", 0.999);
    o.put("eps", 1e-8);
    o.put("weight_decay", 0.01);
    ObjectNode tolerance = trace.putObject("tolerance");
    tolerance.put("param_abs", 1e-6);
    tolerance.put("state_rel", 1e-6);
    tolerance.put("code_mismatch_fraction", 0.0);
    trace.putObject("params").set("w", ReferenceTraces.encode(start, new Shape(4)));
    ArrayNode steps = trace.putArray("steps");
    try (NDManager manager = NDManager.newBaseManager();
        AdamW adamw = new AdamW(options, manager)) {
      NDArray w = manager.create(start, new Shape(4));
      w.setRequiresGradient(true);
      for (int t = 0; t < grads.length; t++) {
        Gradients.set(w, grads[t]);
        adamw.step(List.of(TrainableParameter.of("w", w)), lrs[t]);
        ObjectNode step = steps.addObject();
        step.put("lr", lrs[t]);
        step.putObject("grads").set("w", ReferenceTraces.encode(grads[t], new Shape(4)));
        step.putObject("params_after")
            .set("w", ReferenceTraces.encode(w.toFloatArray(), new Shape(4)));
        try (OptimizerState state = adamw.state(manager)) {
          ObjectNode expectedState = step.putObject("state");
          for (Map.Entry<String, NDArray> tensor : state.tensors().entrySet()) {
            expectedState.set(
                tensor.getKey(),
                ReferenceTraces.encode(tensor.getValue().toFloatArray(), new Shape(4)));
          }
        }
      }
    }
    return trace;
  }
}
