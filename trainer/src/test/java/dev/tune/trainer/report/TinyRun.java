package dev.tune.trainer.report;

import ai.djl.ndarray.NDManager;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.train.ComputePrecision;
import dev.tune.trainer.train.QloraModel;
import dev.tune.trainer.train.QloraModelPreparer;
import dev.tune.trainer.train.QloraTrainer;
import dev.tune.trainer.train.TrainResult;
import dev.tune.trainer.train.TrainingExample;
import dev.tune.trainer.train.TrainingListener;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** A real training run of the tiny fixture llama, for tests of what a run reports. */
final class TinyRun {

  /** What the run returned and the lines it logged. */
  record Outcome(TrainResult result, List<String> lines) {}

  private TinyRun() {}

  /**
   * Trains for {@code steps} steps on random sequences, logging and evaluating every {@code
   * everySteps}.
   */
  static Outcome train(Path outputDir, int steps, int everySteps, TrainingListener listener) {
    TrainingArguments args =
        TrainingArguments.builder()
            .maxSteps(steps)
            .perDeviceTrainBatchSize(4)
            .perDeviceEvalBatchSize(4)
            .learningRate(2e-3)
            .warmupSteps(2)
            .loggingSteps(everySteps)
            .evalSteps(everySteps)
            .saveSteps(1000)
            .seed(5)
            .build();
    List<String> lines = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager();
        QloraModel model =
            new QloraModelPreparer(
                    QuantizationSpec.qlora(),
                    new LoraSpec(8, 16, 0.0, List.of(LoraSpec.ALL_LINEAR)),
                    ComputePrecision.float32(),
                    7)
                .prepare(fixture(), "fixtures/hf/llama", manager)) {
      TrainResult result =
          QloraTrainer.builder(model, args)
              .outputDir(outputDir)
              .logSink(lines::add)
              .listener(listener)
              .build()
              .train(texts(12, 1), texts(4, 2), Optional.empty());
      return new Outcome(result, lines);
    }
  }

  private static List<TrainingExample> texts(int count, long seed) {
    Random random = new Random(seed);
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long[] ids = new long[6 + random.nextInt(10)];
      for (int t = 1; t < ids.length; t++) {
        ids[t] = 3L + random.nextInt(509);
      }
      out.add(TrainingExample.ofText(ids));
    }
    return out;
  }

  private static Path fixture() {
    try {
      return Path.of(TinyRun.class.getResource("/fixtures/hf/llama").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
