package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.optim.Optimizer;
import dev.tune.trainer.optim.TrainableParameter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Projections computing in float16 (what a GPU run uses) backpropagate like float32 ones, and the
 * loss scaler's state survives a resume. libtorch runs float16 on the CPU too, slowly, which is
 * enough for the tiny model.
 */
@ExtendWith(SingleThreadedTorch.class)
class Float16TrainingTest {

  private static final ComputePrecision HALF =
      new ComputePrecision(DataType.FLOAT16, DataType.FLOAT32, true, Optional.empty());

  @TempDir Path dir;
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private QloraModel model(ComputePrecision precision) {
    return new QloraModelPreparer(QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, precision, 4)
        .prepare(TrainFixtures.fixture("llama"), "llama", manager);
  }

  @Test
  void float16GradientsAgreeWithFloat32Ones() {
    Map<String, float[]> full = new LinkedHashMap<>();
    Map<String, float[]> half = new LinkedHashMap<>();
    float fullLoss;
    float halfLoss;
    try (QloraModel model = model(ComputePrecision.float32())) {
      fullLoss = gradients(model, full);
    }
    try (QloraModel model = model(HALF)) {
      halfLoss = gradients(model, half);
    }
    float worst = 0;
    float largest = 0;
    for (String name : full.keySet()) {
      for (int i = 0; i < full.get(name).length; i++) {
        worst = Math.max(worst, Math.abs(full.get(name)[i] - half.get(name)[i]));
        largest = Math.max(largest, Math.abs(full.get(name)[i]));
      }
    }
    System.out.printf(
        "float16 vs float32: loss %.5f vs %.5f, max |grad diff| %.3e of max |grad| %.3e%n",
        halfLoss, fullLoss, worst, largest);
    assertThat(halfLoss).isCloseTo(fullLoss, Offset.offset(fullLoss * 2e-3f));
    // every gradient reaches through the float16 matmuls of all layers
    assertThat(largest).isGreaterThan(1e-2f);
    assertThat(worst).isLessThan(largest * 2e-2f);
  }

  private float gradients(QloraModel model, Map<String, float[]> out) {
    GradientCheckpointingTest.randomizeB(model, 9);
    PaddedBatch batch = PaddedBatch.of(TrainFixtures.randomTexts(4, 6), 2);
    List<TrainableParameter> params = model.trainableParameters();
    TrainingGraph graph = new TrainingGraph(model.model(), false, new StepSeeds(1));
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
      return loss / batch.trainedTokens();
    }
  }

  @Test
  void aResumedFloat16RunContinuesWithTheSavedLossScale() throws Exception {
    TrainingArguments args =
        TrainingArguments.builder()
            .maxSteps(4)
            .perDeviceTrainBatchSize(4)
            .learningRate(1e-3)
            .loggingSteps(2)
            .saveSteps(2)
            .build();
    List<TrainingExample> data = TrainFixtures.randomTexts(16, 5);
    Map<String, float[]> whole = new LinkedHashMap<>();
    try (QloraModel model = model(HALF)) {
      QloraTrainer.builder(model, args)
          .outputDir(dir.resolve("whole"))
          .logSink(l -> {})
          .build()
          .train(data, List.of(), Optional.empty());
      model.lora().parameters().forEach((n, a) -> whole.put(n, a.toFloatArray()));
    }
    Path out = dir.resolve("resumed");
    try (QloraModel model = model(HALF)) {
      QloraTrainer[] self = new QloraTrainer[1];
      self[0] =
          QloraTrainer.builder(model, args)
              .outputDir(out)
              .logSink(l -> {})
              .listener(
                  new TrainingListener() {
                    @Override
                    public void onStepEnd(int step, int totalSteps) {
                      if (step == 2) {
                        self[0].requestStop();
                      }
                    }
                  })
              .build();
      self[0].train(data, List.of(), Optional.empty());
    }
    TrainerState saved = TrainerState.read(out.resolve("checkpoint-2"));
    assertThat(saved.lossScaler()).hasValueSatisfying(s -> assertThat(s.scale()).isEqualTo(65536f));
    assertThat(saved.lossScaler().orElseThrow().growthTracker()).isEqualTo(2);
    try (QloraModel model = model(HALF)) {
      QloraTrainer.builder(model, args)
          .outputDir(out)
          .logSink(l -> {})
          .build()
          .train(data, List.of(), Optional.of(out.resolve("checkpoint-2")));
      model
          .lora()
          .parameters()
          .forEach((n, a) -> assertThat(a.toFloatArray()).as(n).containsExactly(whole.get(n)));
    }
  }
}
