package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.lora.LoraAdapter;
import dev.tune.trainer.model.ModelPlacement;
import dev.tune.trainer.optim.Optimizer;
import dev.tune.trainer.optim.TrainableParameter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model placed over two GPUs: its second layer, norm and head on {@code cuda:1}, computes the
 * first device's loss and gradients and trains. Runs only where libtorch is a CUDA 2.7.1 build and
 * sees two GPUs; elsewhere {@link PlacedTrainingTest} covers the same code over two slots of one
 * CPU.
 */
@EnabledIf(
    value = "twoCudaGpus",
    disabledReason =
        "needs a CUDA build of libtorch 2.7.1 (the one DJL 0.36 was built for) and at least 2 GPUs:"
            + " DJL's PyTorch engine here sees fewer GPUs (the CPU build sees none)")
class MultiGpuPlacementTest {

  private static final LoraSpec LORA = new LoraSpec(8, 16, 0.0, List.of(LoraSpec.ALL_LINEAR));

  @TempDir Path dir;

  static boolean twoCudaGpus() {
    try {
      Engine engine = Engine.getInstance();
      return engine.getGpuCount() >= 2 && engine.getVersion().startsWith("2.7.");
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static ModelPlacement overTwoGpus() {
    return new ModelPlacement(List.of(Device.gpu(0), Device.gpu(1)), 0, List.of(0, 1), 1, 1);
  }

  @Test
  void lossAndGradientsMatchOneGpuWithAndWithoutCheckpointing() {
    for (boolean checkpointing : new boolean[] {false, true}) {
      Map<String, float[]> single = new LinkedHashMap<>();
      Map<String, float[]> placed = new LinkedHashMap<>();
      float singleLoss = gradients(Optional.empty(), checkpointing, single);
      float placedLoss = gradients(Optional.of(overTwoGpus()), checkpointing, placed);
      assertThat(Math.abs(placedLoss - singleLoss))
          .isLessThanOrEqualTo(1e-5f * Math.abs(singleLoss));
      float largest = 0;
      float worst = 0;
      for (String name : single.keySet()) {
        float[] a = single.get(name);
        float[] b = placed.get(name);
        for (int i = 0; i < a.length; i++) {
          largest = Math.max(largest, Math.abs(a[i]));
          worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
      }
      assertThat(largest).isGreaterThan(1e-3f);
      assertThat(worst).as("checkpointing %s", checkpointing).isLessThanOrEqualTo(1e-5f);
    }
  }

  @Test
  void adaptersLiveOnTheirLayersGpuAndTrainingRuns() {
    TrainingArguments args =
        TrainingArguments.builder()
            .maxSteps(4)
            .perDeviceTrainBatchSize(4)
            .learningRate(1e-3)
            .loggingSteps(2)
            .saveSteps(4)
            .gradientCheckpointing(true)
            .build();
    try (NDManager manager = NDManager.newBaseManager(Device.gpu(0));
        QloraModel model = prepare(manager, Optional.of(overTwoGpus()))) {
      for (Map.Entry<String, LoraAdapter> e : model.lora().adapters().entrySet()) {
        Device expected = e.getKey().startsWith("model.layers.1.") ? Device.gpu(1) : Device.gpu(0);
        assertThat(e.getValue().loraA().getDevice()).as(e.getKey()).isEqualTo(expected);
      }
      TrainResult result =
          QloraTrainer.builder(model, args)
              .outputDir(dir)
              .logSink(l -> {})
              .build()
              .train(
                  TrainFixtures.randomTexts(16, 1),
                  TrainFixtures.randomTexts(4, 2),
                  Optional.empty());
      assertThat(result.globalStep()).isEqualTo(4);
      assertThat(result.trainLoss()).isFinite();
      assertThat(model.model().slotCrossings()).isPositive();
    }
  }

  private float gradients(
      Optional<ModelPlacement> placement, boolean checkpointing, Map<String, float[]> out) {
    try (NDManager manager = NDManager.newBaseManager(Device.gpu(0));
        QloraModel model = prepare(manager, placement)) {
      GradientCheckpointingTest.randomizeB(model, 11);
      List<TrainableParameter> params = model.trainableParameters();
      TrainingGraph graph = new TrainingGraph(model.model(), checkpointing, new StepSeeds(5));
      PaddedBatch batch =
          PaddedBatch.of(
              List.of(
                  TrainingExample.ofText(new long[] {0, 300, 301, 302, 303, 304, 305, 306, 1}),
                  TrainingExample.ofText(new long[] {0, 42, 43})),
              2);
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
  }

  private static QloraModel prepare(NDManager manager, Optional<ModelPlacement> placement) {
    QloraModelPreparer preparer =
        new QloraModelPreparer(QuantizationSpec.qlora(), LORA, ComputePrecision.float32(), 3);
    return placement
        .map(preparer::withPlacement)
        .orElse(preparer)
        .prepare(TrainFixtures.fixture("llama"), "fixtures/hf/llama", manager);
  }
}
