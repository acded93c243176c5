package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Projections computing in float16 (what a GPU run uses) backpropagate like float32 ones, and the
 * loss scaler's state survives a resume. libtorch runs float16 on the CPU too, slowly, which is
 * enough for the tiny model.
 */
@ExtendWith(SingleThreadedTorch.class)
class Float16TrainingTest extends ManagerPerTest {

  private static final PaddedBatch BATCH = PaddedBatch.of(TrainFixtures.randomTexts(4, 6), 2);

  private static final ComputePrecision HALF =
      new ComputePrecision(DataType.FLOAT16, DataType.FLOAT32, true, Optional.empty());

  @TempDir Path dir;

  private QloraModel model(ComputePrecision precision) {
    return new QloraModelPreparer(QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, precision, 4)
        .prepare(TrainFixtures.fixture("llama"), "llama", manager);
  }

  @Test
  void float16GradientsAgreeWithFloat32Ones() {
    GradientPass full;
    GradientPass half;
    try (QloraModel model = model(ComputePrecision.float32())) {
      full = pass(model);
    }
    try (QloraModel model = model(HALF)) {
      half = pass(model);
    }
    float fullLoss = full.lossSum() / BATCH.trainedTokens();
    float halfLoss = half.lossSum() / BATCH.trainedTokens();
    float worst = half.largestDifference(full);
    float largest = full.largest();
    System.out.printf(
        "float16 vs float32: loss %.5f vs %.5f, max |grad diff| %.3e of max |grad| %.3e%n",
        halfLoss, fullLoss, worst, largest);
    assertThat(halfLoss).isCloseTo(fullLoss, Offset.offset(fullLoss * 2e-3f));
    // every gradient reaches through the float16 matmuls of all layers
    assertThat(largest).isGreaterThan(1e-2f);
    assertThat(worst).isLessThan(largest * 2e-2f);
  }

  private GradientPass pass(QloraModel model) {
    GradientCheckpointingTest.randomizeB(model, 9);
    return GradientPass.of(model, BATCH, false, 1, manager);
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
      QloraTrainer trainer =
          TrainFixtures.stoppingAfter(
              2, QloraTrainer.builder(model, args).outputDir(out).logSink(l -> {}));
      trainer.train(data, List.of(), Optional.empty());
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
