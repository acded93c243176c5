package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.trainer.optim.Optimizer;
import dev.tune.trainer.optim.TrainableParameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward and backward pass of a batch through {@link TrainingGraph}, as step 0 runs its only
 * micro-batch, for tests that compare the gradients two ways of computing them give.
 *
 * @param lossSum the summed token loss
 * @param gradients each trainable parameter's gradient of the mean token loss, by name
 */
record GradientPass(float lossSum, Map<String, float[]> gradients) {

  /**
   * Runs the pass in a sub-manager of {@code manager} and zeroes the gradients after reading them.
   *
   * @param seed the {@link StepSeeds} of the pass (dropout masks)
   */
  static GradientPass of(
      QloraModel model, PaddedBatch batch, boolean checkpointing, long seed, NDManager manager) {
    List<TrainableParameter> params = model.trainableParameters();
    TrainingGraph graph = new TrainingGraph(model.model(), checkpointing, new StepSeeds(seed));
    try (NDManager step = manager.newSubManager();
        NDScope scope = new NDScope();
        BatchUpload upload = new BatchUpload(List.of(batch), step)) {
      scope.suppressNotUsedWarning();
      NDArray multiplier = step.create(1f / batch.trainedTokens());
      float loss = graph.forwardBackward(upload.device(0, step), multiplier, 0, 0).getFloat();
      Map<String, float[]> gradients = new LinkedHashMap<>();
      for (TrainableParameter p : params) {
        gradients.put(p.name(), p.array().getGradient().toFloatArray());
      }
      Optimizer.zeroGrad(params);
      return new GradientPass(loss, gradients);
    }
  }

  /** The largest gradient value, in magnitude. */
  float largest() {
    float largest = 0;
    for (float[] values : gradients.values()) {
      for (float v : values) {
        largest = Math.max(largest, Math.abs(v));
      }
    }
    return largest;
  }

  /** The largest difference between a gradient value here and the same one in {@code other}. */
  float largestDifference(GradientPass other) {
    if (!gradients.keySet().equals(other.gradients.keySet())) {
      throw new IllegalArgumentException(
          "different parameters: " + gradients.keySet() + " vs " + other.gradients.keySet());
    }
    float worst = 0;
    for (Map.Entry<String, float[]> e : gradients.entrySet()) {
      float[] x = e.getValue();
      float[] y = other.gradients.get(e.getKey());
      for (int i = 0; i < x.length; i++) {
        worst = Math.max(worst, Math.abs(x[i] - y[i]));
      }
    }
    return worst;
  }
}
