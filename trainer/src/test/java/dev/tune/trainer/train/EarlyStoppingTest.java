package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.train.EarlyStopping;
import dev.tune.core.train.EvalStrategy;
import dev.tune.core.train.LrSchedulerType;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SingleThreadedTorch.class)
class EarlyStoppingTest extends ManagerPerTest {

  /** Four random sequences to memorise and four others that memorising them cannot help. */
  private static final List<TrainingExample> TRAIN = TrainFixtures.randomTexts(4, 11);

  private static final List<TrainingExample> EVAL = TrainFixtures.randomTexts(4, 12);

  @TempDir Path dir;

  /** A run that overfits: few examples, a high constant rate, evaluation every step. */
  private static TrainingArguments.Builder overfitting() {
    return TrainingArguments.builder()
        .maxSteps(40)
        .perDeviceTrainBatchSize(4)
        .perDeviceEvalBatchSize(4)
        .learningRate(3e-2)
        .lrSchedulerType(LrSchedulerType.CONSTANT)
        .loggingSteps(1)
        .evalSteps(1)
        .saveSteps(1000)
        .seed(3);
  }

  @Test
  void anOverfittingRunStopsEarlyAndReturnsTheBestCheckpointsAdapter() throws IOException {
    Path out = dir.resolve("out");
    List<String> lines = new ArrayList<>();
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 7)) {
      QloraTrainer trainer =
          QloraTrainer.builder(
                  model, overfitting().earlyStopping(new EarlyStopping(2, 0.0)).build())
              .outputDir(out)
              .saveTotalLimit(1)
              .logSink(lines::add)
              .build();

      TrainResult result = trainer.train(TRAIN, EVAL, Optional.empty());
      double returnedLoss = trainer.evaluate(EVAL).loss();

      assertThat(result.stoppedByEarlyStopping()).isTrue();
      assertThat(result.stoppedEarly()).isFalse();
      assertThat(result.globalStep()).isLessThan(40);
      BestEvaluation best = result.bestEvaluation().orElseThrow();
      List<TrainingLog> evals = TrainFixtures.evaluations(result);
      double lowest = evals.stream().mapToDouble(l -> l.get("eval_loss")).min().orElseThrow();
      assertThat(best.loss()).isEqualTo(lowest);
      assertThat(evals.get(0).get("eval_loss")).isGreaterThan(best.loss());
      // it stopped after exactly two evaluations without a lower loss
      assertThat(result.globalStep()).isEqualTo(best.step() + 2);
      assertThat(evals.get(evals.size() - 1).step()).isEqualTo(result.globalStep());
      assertThat(evals.subList(evals.size() - 2, evals.size()))
          .allSatisfy(l -> assertThat(l.get("eval_loss")).isGreaterThanOrEqualTo(best.loss()));

      Path bestCheckpoint = out.resolve("checkpoint-" + best.step());
      assertThat(new CheckpointStore(out, OptionalInt.empty()).checkpoints())
          .containsExactly(bestCheckpoint);
      assertThat(result.adapterDir()).isEqualTo(out);
      assertThat(Files.readAllBytes(out.resolve("adapter_model.safetensors")))
          .isEqualTo(Files.readAllBytes(bestCheckpoint.resolve("adapter_model.safetensors")));
      assertThat(returnedLoss).isCloseTo(best.loss(), Offset.offset(1e-5));
      assertThat(TrainerState.read(out).bestEvaluation()).contains(best);
      assertThat(lines)
          .anyMatch(l -> l.startsWith("Early stopping at step " + result.globalStep()));
    }
  }

  @Test
  void aResumedRunStopsWhereAnUninterruptedOneDoes() throws IOException {
    TrainingArguments args =
        overfitting().earlyStopping(new EarlyStopping(2, 0.0)).saveSteps(2).build();
    TrainResult whole = earlyStopped(dir.resolve("whole"), args, 0, Optional.empty());
    int stopAt = whole.bestEvaluation().orElseThrow().step() + 1;

    Path out = dir.resolve("resumed");
    TrainResult stopped = earlyStopped(out, args, stopAt, Optional.empty());
    assertThat(stopped.stoppedEarly()).isTrue();
    Path latest = new CheckpointStore(out, OptionalInt.empty()).latest().orElseThrow();
    TrainResult resumed = earlyStopped(out, args, 0, Optional.of(latest));

    assertThat(resumed.stoppedByEarlyStopping()).isTrue();
    assertThat(resumed.globalStep()).isEqualTo(whole.globalStep());
    assertThat(resumed.bestEvaluation()).isEqualTo(whole.bestEvaluation());
    assertThat(Files.readAllBytes(out.resolve("adapter_model.safetensors")))
        .isEqualTo(Files.readAllBytes(dir.resolve("whole/adapter_model.safetensors")));
  }

  private TrainResult earlyStopped(
      Path out, TrainingArguments args, int stopAt, Optional<Path> resume) {
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 7)) {
      QloraTrainer trainer =
          TrainFixtures.stoppingAfter(
              stopAt, QloraTrainer.builder(model, args).outputDir(out).logSink(l -> {}));
      return trainer.train(TRAIN, EVAL, resume);
    }
  }

  @Test
  void withoutEarlyStoppingTheSameRunTrainsToTheEndAndReportsItsBestEvaluation() {
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 7)) {
      TrainResult result =
          QloraTrainer.builder(model, overfitting().maxSteps(12).build())
              .outputDir(dir)
              .logSink(l -> {})
              .build()
              .train(TRAIN, EVAL, Optional.empty());

      assertThat(result.stoppedByEarlyStopping()).isFalse();
      assertThat(result.globalStep()).isEqualTo(12);
      assertThat(result.bestEvaluation().orElseThrow().step()).isLessThan(12);
      assertThat(result.evalLoss().orElseThrow())
          .isGreaterThan(result.bestEvaluation().orElseThrow().loss());
    }
  }

  @Test
  void epochStrategyEvaluatesAtEachEpochsEnd() {
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 7)) {
      TrainResult result =
          QloraTrainer.builder(
                  model,
                  overfitting()
                      .maxSteps(-1)
                      .numTrainEpochs(3)
                      .perDeviceTrainBatchSize(2)
                      .evalStrategy(EvalStrategy.EPOCH)
                      .build())
              .outputDir(dir)
              .logSink(l -> {})
              .build()
              .train(TRAIN, EVAL, Optional.empty());

      assertThat(evalSteps(result)).containsExactly(2, 4, 6);
    }
  }

  @Test
  void noStrategyNeverEvaluates() {
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 7)) {
      TrainResult result =
          QloraTrainer.builder(
                  model, overfitting().maxSteps(3).evalStrategy(EvalStrategy.NO).build())
              .outputDir(dir)
              .logSink(l -> {})
              .build()
              .train(TRAIN, EVAL, Optional.empty());

      assertThat(evalSteps(result)).isEmpty();
      assertThat(result.evalLoss()).isEmpty();
    }
  }

  @Test
  void earlyStoppingWithoutEvaluationDataSaysWhatToGive() {
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 7)) {
      QloraTrainer trainer =
          QloraTrainer.builder(model, overfitting().earlyStopping(new EarlyStopping(1, 0)).build())
              .outputDir(dir)
              .logSink(l -> {})
              .build();

      assertThatThrownBy(() -> trainer.train(TRAIN, List.of(), Optional.empty()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no evaluation examples")
          .hasMessageContaining("data.eval");
    }
  }

  private static List<Integer> evalSteps(TrainResult result) {
    return TrainFixtures.evaluations(result).stream().map(TrainingLog::step).toList();
  }
}
