package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.tune.core.JobRef;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's data, packed by {@link DataPipeline} into rows of 128 tokens, trains the bundled
 * model through {@link TrainingRun} with a held-out loss (of packed rows too) that falls at each
 * evaluation.
 */
@ExtendWith(SingleThreadedTorch.class)
class PackedQuickstartTrainingTest {

  private static final int STEPS = 12;

  @TempDir Path dir;

  @Test
  void packedQuickstartDataTrainsWithFallingEvalLoss() {
    Path trainFile = QuickstartAssets.dir().resolve("data/train.jsonl");
    Path evalFile = QuickstartAssets.dir().resolve("data/eval.jsonl");
    DataSpec data =
        DataSpec.builder(FileUri.of(trainFile))
            .eval(FileUri.of(evalFile))
            .maxSeqLength(128)
            .packing(true)
            .build();
    TrainSpec spec =
        TrainSpec.builder()
            .model(BaseModel.of(FileUri.of(QuickstartAssets.model())))
            .data(data)
            .output(OutputSpec.named("packed"))
            .lora(new LoraSpec(8, 16, 0.0, List.of(LoraSpec.ALL_LINEAR)))
            .training(
                TrainingArguments.builder()
                    .maxSteps(STEPS)
                    .perDeviceTrainBatchSize(4)
                    .learningRate(3e-3)
                    .warmupSteps(2)
                    .loggingSteps(STEPS / 2)
                    .evalSteps(STEPS / 2)
                    .saveSteps(1000)
                    .seed(7)
                    .build())
            .build();
    List<TrainingExample> train;
    List<TrainingExample> eval;
    try (ModelTokenizer tokenizer = ModelTokenizer.load(QuickstartAssets.model())) {
      DataPipeline pipeline =
          DataPipeline.open(data, List.of(trainFile), List.of(evalFile), tokenizer, 7);
      train = QuickstartAssets.examples(pipeline.train());
      eval = QuickstartAssets.examples(pipeline.eval());
    }
    assertThat(train).allMatch(TrainingExample::isPacked);
    assertThat(eval).allMatch(TrainingExample::isPacked);

    double before = baseEvalLoss(spec, eval);
    TrainResult result =
        TrainingRun.builder(spec, new JobRef("local", "packed"))
            .baseModelDir(QuickstartAssets.model())
            .outputDir(dir.resolve("out"))
            .trainExamples(train)
            .evalExamples(eval)
            .device(Device.cpu())
            .logSink(line -> {})
            .build()
            .run();
    List<Double> evals =
        result.logHistory().stream()
            .filter(l -> l.kind() == TrainingLog.Kind.EVAL)
            .map(l -> l.get("eval_loss"))
            .toList();

    System.out.printf(
        "packed: %d train rows, %d eval rows; eval loss %.4f -> %s%n",
        train.size(), eval.size(), before, evals);
    assertThat(evals).hasSize(2);
    assertThat(before).isGreaterThan(evals.get(0));
    assertThat(evals.get(0)).isGreaterThan(evals.get(1));
    assertThat(evals.get(1)).isLessThan(before * 0.7);
  }

  /** The base model's loss (LoRA B starts at zero, so the adapters change nothing yet). */
  private double baseEvalLoss(TrainSpec spec, List<TrainingExample> eval) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        QloraModel model =
            new QloraModelPreparer(spec.quantization(), spec.lora(), ComputePrecision.float32(), 7)
                .prepare(QuickstartAssets.model(), "quickstart", manager)) {
      return QloraTrainer.builder(model, spec.training())
          .outputDir(dir.resolve("base"))
          .build()
          .evaluate(eval)
          .loss();
    }
  }
}
