package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/** A few QLoRA steps on a GPU in float16 with loss scaling, where a CUDA libtorch is present. */
@EnabledIf(
    value = "cudaLibtorch",
    disabledReason =
        "needs a CUDA build of libtorch 2.7.1 (the one DJL 0.36 was built for): DJL's PyTorch"
            + " engine sees no GPU here")
class GpuSmokeTest {

  @TempDir Path dir;

  static boolean cudaLibtorch() {
    try {
      Engine engine = Engine.getInstance();
      return engine.getGpuCount() > 0 && engine.getVersion().startsWith("2.7.");
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Test
  void trainsAFewStepsInFloat16() {
    TrainingArguments args =
        TrainingArguments.builder()
            .maxSteps(4)
            .perDeviceTrainBatchSize(4)
            .learningRate(1e-3)
            .loggingSteps(2)
            .saveSteps(2)
            .gradientCheckpointing(true)
            .build();
    ComputePrecision precision =
        ComputePrecision.resolve(Device.gpu(), QuantizationSpec.qlora(), args);
    assertThat(precision.computeDtype()).isEqualTo(DataType.FLOAT16);
    try (NDManager manager = NDManager.newBaseManager(Device.gpu());
        QloraModel model =
            new QloraModelPreparer(QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, precision, 1)
                .prepare(TrainFixtures.fixture("llama"), "llama", manager)) {
      TrainResult result =
          QloraTrainer.builder(model, args)
              .outputDir(dir)
              .build()
              .train(
                  TrainFixtures.randomTexts(16, 1),
                  TrainFixtures.randomTexts(4, 2),
                  Optional.empty());
      assertThat(result.globalStep()).isEqualTo(4);
      assertThat(result.trainLoss()).isFinite();
      assertThat(result.evalLoss().orElseThrow()).isFinite();
      assertThat(dir.resolve("checkpoint-4/optimizer.safetensors")).exists();
    }
  }
}
