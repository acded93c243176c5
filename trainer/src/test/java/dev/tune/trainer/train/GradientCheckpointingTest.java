package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.trainer.lora.LoraAdapter;
import dev.tune.trainer.optim.Optimizer;
import dev.tune.trainer.optim.TrainableParameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gradient checkpointing computes the gradients that the fully recorded pass computes. */
@ExtendWith(SingleThreadedTorch.class)
class GradientCheckpointingTest {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @ParameterizedTest(name = "lora_dropout {0}")
  @ValueSource(doubles = {0.0, 0.1})
  void checkpointedGradientsEqualRecordedOnes(double dropout) {
    LoraSpec lora = new LoraSpec(8, 16, dropout, List.of(LoraSpec.ALL_LINEAR));
    try (QloraModel model = TrainFixtures.llama(manager, QuantizationSpec.qlora(), lora, 3)) {
      randomizeB(model, 11);
      model.lora().setTraining(true);
      // padded rows of unequal length, prompt tokens ignored
      PaddedBatch batch =
          PaddedBatch.of(
              List.of(
                  TrainingExample.ofCompletion(new long[] {0, 17, 40, 99}, new long[] {7, 8, 1}),
                  TrainingExample.ofText(new long[] {0, 300, 301, 302, 303, 304, 305, 306, 1}),
                  TrainingExample.ofText(new long[] {0, 42, 43})),
              2);

      Map<String, float[]> recorded = new LinkedHashMap<>();
      float recordedLoss = gradients(model, batch, false, recorded);
      Map<String, float[]> checkpointed = new LinkedHashMap<>();
      float checkpointedLoss = gradients(model, batch, true, checkpointed);

      assertThat(checkpointedLoss).isEqualTo(recordedLoss);
      float worst = 0;
      float largest = 0;
      for (String name : recorded.keySet()) {
        float[] a = recorded.get(name);
        float[] b = checkpointed.get(name);
        for (int i = 0; i < a.length; i++) {
          worst = Math.max(worst, Math.abs(a[i] - b[i]));
          largest = Math.max(largest, Math.abs(a[i]));
        }
      }
      System.out.printf(
          "checkpointing (dropout %.1f): max |grad diff| %.3e, max |grad| %.3e%n",
          dropout, worst, largest);
      assertThat(largest).isGreaterThan(1e-3f);
      assertThat(worst).isLessThanOrEqualTo(1e-5f);
    }
  }

  /** One forward and backward of step 0, micro-batch 0; returns the loss sum. */
  private float gradients(
      QloraModel model, PaddedBatch batch, boolean checkpointing, Map<String, float[]> out) {
    List<TrainableParameter> params = model.trainableParameters();
    TrainingGraph graph = new TrainingGraph(model.model(), checkpointing, new StepSeeds(5));
    try (NDManager step = manager.newSubManager();
        NDScope scope = new NDScope();
        BatchUpload upload = new BatchUpload(List.of(batch), step)) {
      scope.suppressNotUsedWarning();
      NDArray multiplier = step.create(1f / batch.trainedTokens());
      float loss = graph.forwardBackward(upload.device(0, step), multiplier, 0, 0).getFloat();
      for (TrainableParameter p : params) {
        out.put(p.name(), p.array().getGradient().toFloatArray());
      }
      Optimizer.zeroGrad(params);
      return loss;
    }
  }

  /** peft starts B at zero, where A gets no gradient; random B makes the comparison cover A. */
  static void randomizeB(QloraModel model, long seed) {
    Random random = new Random(seed);
    for (LoraAdapter adapter : model.lora().adapters().values()) {
      float[] values = new float[Math.toIntExact(adapter.loraB().size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (0.1 * random.nextGaussian());
      }
      adapter.loraB().set(values);
    }
  }
}
