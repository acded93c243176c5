package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.tune.core.JobRef;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.data.Schema;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * A short QLoRA run of the bundled quickstart model on data that {@link DataPipeline} reads: the
 * base model's held-out loss, then {@value #STEPS} steps of {@link TrainingRun} that evaluate
 * halfway and at the end.
 */
final class QuickstartRun {

  static final int STEPS = 12;

  private QuickstartRun() {}

  /** The pipeline's rows, ready for the trainer. */
  record Examples(Schema schema, List<TrainingExample> train, List<TrainingExample> eval) {}

  /** The base model's eval loss and each evaluation's of the run. */
  record Losses(double before, List<Double> evals) {
    /** Both evaluations beat the base model, the second the first, and by 30% in the end. */
    void assertFalling(String label) {
      System.out.printf("%s: eval loss %.4f -> %s%n", label, before, evals);
      assertThat(evals).hasSize(2);
      assertThat(before).isGreaterThan(evals.get(0));
      assertThat(evals.get(0)).isGreaterThan(evals.get(1));
      assertThat(evals.get(1)).isLessThan(before * 0.7);
    }
  }

  /** {@value #STEPS} steps at a high rate, evaluating halfway and at the end, seed 7. */
  static TrainSpec spec(DataSpec data, String output, int batchSize) {
    return TrainSpec.builder()
        .model(BaseModel.of(FileUri.of(QuickstartAssets.model())))
        .data(data)
        .output(OutputSpec.named(output))
        .lora(TrainFixtures.ALL_LINEAR)
        .training(
            TrainingArguments.builder()
                .maxSteps(STEPS)
                .perDeviceTrainBatchSize(batchSize)
                .learningRate(3e-3)
                .warmupSteps(2)
                .loggingSteps(STEPS / 2)
                .evalSteps(STEPS / 2)
                .saveSteps(1000)
                .seed(7)
                .build())
        .build();
  }

  /** The rows of {@code trainFile} and {@code evalFiles} as {@code spec}'s data reads them. */
  static Examples examples(TrainSpec spec, Path trainFile, List<Path> evalFiles) {
    try (ModelTokenizer tokenizer = ModelTokenizer.load(QuickstartAssets.model())) {
      DataPipeline pipeline =
          DataPipeline.open(
              spec.data(), List.of(trainFile), evalFiles, tokenizer, spec.training().seed());
      return new Examples(
          pipeline.schema(),
          QuickstartAssets.examples(pipeline.train()),
          QuickstartAssets.examples(pipeline.eval()));
    }
  }

  /** Trains {@code spec} on {@code examples} with its outputs below {@code dir}. */
  static Losses train(TrainSpec spec, Examples examples, Path dir) {
    double before = baseEvalLoss(spec, examples.eval(), dir.resolve("base"));
    TrainResult result =
        TrainingRun.builder(spec, new JobRef("local", spec.output().name()))
            .baseModelDir(QuickstartAssets.model())
            .outputDir(dir.resolve("out"))
            .trainExamples(examples.train())
            .evalExamples(examples.eval())
            .device(Device.cpu())
            .logSink(line -> {})
            .build()
            .run();
    List<Double> evals =
        TrainFixtures.evaluations(result).stream().map(l -> l.get("eval_loss")).toList();
    return new Losses(before, evals);
  }

  /** The base model's loss (LoRA B starts at zero, so the adapters change nothing yet). */
  private static double baseEvalLoss(TrainSpec spec, List<TrainingExample> eval, Path outputDir) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        QloraModel model =
            new QloraModelPreparer(
                    spec.quantization(),
                    spec.lora(),
                    ComputePrecision.float32(),
                    spec.training().seed())
                .prepare(QuickstartAssets.model(), "quickstart", manager)) {
      return QloraTrainer.builder(model, spec.training())
          .outputDir(outputDir)
          .build()
          .evaluate(eval)
          .loss();
    }
  }
}
