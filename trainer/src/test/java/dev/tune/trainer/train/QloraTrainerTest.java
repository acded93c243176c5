package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.LrSchedulerType;
import dev.tune.core.train.Optimizer;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(SingleThreadedTorch.class)
class QloraTrainerTest extends ManagerPerTest {

  /** Dropout on, so the resumed run must also replay the random draws. */
  private static final LoraSpec LORA = new LoraSpec(8, 16, 0.1, List.of(LoraSpec.ALL_LINEAR));

  private static final List<TrainingExample> TRAIN = TrainFixtures.randomTexts(24, 1);
  private static final List<TrainingExample> EVAL = TrainFixtures.randomTexts(4, 2);

  @TempDir Path dir;

  private static TrainingArguments.Builder arguments(Optimizer optimizer) {
    return TrainingArguments.builder()
        .maxSteps(6)
        .perDeviceTrainBatchSize(4)
        .perDeviceEvalBatchSize(2)
        .gradientAccumulationSteps(2)
        .learningRate(2e-3)
        .warmupSteps(2)
        .lrSchedulerType(LrSchedulerType.COSINE)
        .optim(optimizer)
        .weightDecay(0.01)
        .loggingSteps(2)
        .evalSteps(3)
        .saveSteps(2)
        .seed(7);
  }

  /** Trains a fresh model, asking it to stop after step {@code stopAt} (0: never). */
  private TrainResult train(
      Path out,
      TrainingArguments args,
      Optional<Path> resume,
      int stopAt,
      Map<String, float[]> adapter) {
    try (QloraModel model = TrainFixtures.llama(manager, QuantizationSpec.qlora(), LORA, 7)) {
      QloraTrainer trainer =
          TrainFixtures.stoppingAfter(
              stopAt,
              QloraTrainer.builder(model, args).outputDir(out).saveTotalLimit(2).logSink(l -> {}));
      TrainResult result = trainer.train(TRAIN, EVAL, resume);
      model.lora().parameters().forEach((name, array) -> adapter.put(name, array.toFloatArray()));
      return result;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Optimizer.class)
  void aResumedRunEndsWithTheAdapterOfAnUninterruptedOne(Optimizer optimizer) throws IOException {
    TrainingArguments args = arguments(optimizer).build();
    Map<String, float[]> whole = new LinkedHashMap<>();
    TrainResult uninterrupted = train(dir.resolve("whole"), args, Optional.empty(), 0, whole);

    Path out = dir.resolve("stopped");
    Map<String, float[]> partial = new LinkedHashMap<>();
    TrainResult stopped = train(out, args, Optional.empty(), 3, partial);
    assertThat(stopped.stoppedEarly()).isTrue();
    assertThat(stopped.globalStep()).isEqualTo(3);
    assertThat(stopped.adapterDir()).isEqualTo(out.resolve("checkpoint-3"));
    assertThat(partial).isNotEmpty();

    Path latest = new CheckpointStore(out, java.util.OptionalInt.empty()).latest().orElseThrow();
    assertThat(latest).isEqualTo(out.resolve("checkpoint-3"));
    Map<String, float[]> resumed = new LinkedHashMap<>();
    TrainResult finished = train(out, args, Optional.of(latest), 0, resumed);

    assertThat(finished.globalStep()).isEqualTo(6);
    assertThat(resumed.keySet()).isEqualTo(whole.keySet());
    resumed.forEach((name, values) -> assertThat(values).as(name).containsExactly(whole.get(name)));
    assertThat(Files.readAllBytes(out.resolve("adapter_model.safetensors")))
        .isEqualTo(Files.readAllBytes(dir.resolve("whole/adapter_model.safetensors")));
    // the same history, step for step (the throughput aside)
    assertThat(strip(finished.logHistory())).isEqualTo(strip(uninterrupted.logHistory()));
    assertThat(finished.trainLoss()).isEqualTo(uninterrupted.trainLoss());
  }

  @Test
  void theSameSeedGivesTheSameAdapterAndAnotherSeedAnother() {
    Map<String, float[]> first = new LinkedHashMap<>();
    Map<String, float[]> second = new LinkedHashMap<>();
    Map<String, float[]> other = new LinkedHashMap<>();
    TrainingArguments args = arguments(Optimizer.ADAMW_TORCH).saveSteps(100).build();
    train(dir.resolve("a"), args, Optional.empty(), 0, first);
    train(dir.resolve("b"), args, Optional.empty(), 0, second);
    train(dir.resolve("c"), args.toBuilder().seed(8).build(), Optional.empty(), 0, other);
    first.forEach((name, values) -> assertThat(second.get(name)).containsExactly(values));
    String module = first.keySet().iterator().next();
    assertThat(other.get(module)).isNotEqualTo(first.get(module));
  }

  @Test
  void checkpointsHoldAPeftAdapterOptimizerStateAndTrainerState() throws IOException {
    TrainResult result =
        train(
            dir,
            arguments(Optimizer.ADAMW_TORCH).build(),
            Optional.empty(),
            0,
            new LinkedHashMap<>());
    // saves at 2, 4 and 6; save_total_limit 2 keeps the newest two
    try (Stream<Path> entries = Files.list(dir)) {
      assertThat(entries.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(
              "adapter_config.json",
              "adapter_model.safetensors",
              "checkpoint-4",
              "checkpoint-6",
              "trainer_state.json");
    }
    Path checkpoint = dir.resolve("checkpoint-4");
    try (Stream<Path> entries = Files.list(checkpoint)) {
      assertThat(entries.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(
              "adapter_config.json",
              "adapter_model.safetensors",
              "optimizer.safetensors",
              "trainer_state.json");
    }
    try (SafetensorsFile adapter =
        SafetensorsFile.open(checkpoint.resolve("adapter_model.safetensors"))) {
      assertThat(adapter.names())
          .contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
          .hasSize(2 * 14);
    }
    try (SafetensorsFile optimizer =
        SafetensorsFile.open(checkpoint.resolve("optimizer.safetensors"))) {
      assertThat(optimizer.metadata()).containsKey("optimizer_state");
      assertThat(optimizer.names())
          .contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight.exp_avg");
    }
    JsonNode state =
        JsonMapper.builder().build().readTree(checkpoint.resolve("trainer_state.json").toFile());
    assertThat(state.path("global_step").asInt()).isEqualTo(4);
    assertThat(state.path("max_steps").asInt()).isEqualTo(6);
    assertThat(state.path("tune").path("scheduler_step").asInt()).isEqualTo(4);
    assertThat(state.path("tune").path("data").path("examples").asInt()).isEqualTo(24);
    assertThat(state.path("log_history")).hasSize(3); // loss at 2 and 4, eval at 3
    assertThat(result.lastCheckpoint()).contains(dir.resolve("checkpoint-6"));
    assertThat(result.adapterDir()).isEqualTo(dir);
  }

  @Test
  void logsTrainingAndEvaluationAsTheTrainerDoes() {
    List<String> lines = new ArrayList<>();
    List<TrainingLog> heard = new ArrayList<>();
    try (QloraModel model = TrainFixtures.llama(manager, QuantizationSpec.qlora(), LORA, 7)) {
      TrainResult result =
          QloraTrainer.builder(model, arguments(Optimizer.ADAMW_TORCH).saveSteps(100).build())
              .outputDir(dir)
              .logSink(lines::add)
              .listener(
                  new TrainingListener() {
                    @Override
                    public void onLog(TrainingLog log) {
                      heard.add(log);
                    }
                  })
              .build()
              .train(TRAIN, EVAL, Optional.empty());
      assertThat(heard).isEqualTo(result.logHistory());
      List<TrainingLog> train =
          heard.stream().filter(l -> l.kind() == TrainingLog.Kind.TRAIN).toList();
      assertThat(train).extracting(TrainingLog::step).containsExactly(2, 4, 6);
      assertThat(train.get(0).metrics().keySet())
          .containsExactly("loss", "grad_norm", "learning_rate", "epoch", "tokens_per_second");
      // 24 examples in batches of 4, two per step: 3 steps per epoch
      assertThat(train.get(0).get("epoch")).isEqualTo(0.6667);
      // cosine after 2 warmup steps, logged as the rate of the next step, as HF does
      assertThat(train.get(0).get("learning_rate")).isEqualTo(2e-3 * 0.5 * (1 + Math.cos(0)));
      assertThat(train.get(2).get("learning_rate")).isCloseTo(0.0, Offset.offset(1e-12));
      List<TrainingLog> evals =
          heard.stream().filter(l -> l.kind() == TrainingLog.Kind.EVAL).toList();
      assertThat(evals).extracting(TrainingLog::step).containsExactly(3, 6);
      assertThat(result.evalLoss()).hasValue(evals.get(1).get("eval_loss"));
      assertThat(heard.get(heard.size() - 1).kind()).isEqualTo(TrainingLog.Kind.SUMMARY);
      assertThat(lines)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .matches(
                          "\\{'loss': [0-9.]+, 'grad_norm': [0-9.e-]+, 'learning_rate': [0-9.e-]+,"
                              + " 'epoch': [0-9.]+, 'step': 2, 'tokens_per_second': [0-9.]+\\}"));
    }
  }

  @Test
  void gradientAccumulationAveragesOverEveryTokenOfTheStep() {
    // One step over the same 8 examples, as 2 micro-batches of 4 or 1 batch of 8. With
    // adam_epsilon 1 the first AdamW update is lr * g / (|g| + 1): smooth in the gradient, so the
    // two must agree to rounding. Averaging the two micro-batch means instead (they hold different
    // numbers of tokens) would move the updates by percents.
    TrainingArguments accumulated =
        TrainingArguments.builder()
            .maxSteps(1)
            .perDeviceTrainBatchSize(4)
            .gradientAccumulationSteps(2)
            .learningRate(1.0)
            .adamEpsilon(1.0)
            .maxGradNorm(0)
            .saveSteps(100)
            .seed(3)
            .build();
    TrainingArguments whole =
        accumulated.toBuilder().perDeviceTrainBatchSize(8).gradientAccumulationSteps(1).build();
    LoraSpec noDropout = new LoraSpec(8, 16, 0.0, List.of(LoraSpec.ALL_LINEAR));
    List<TrainingExample> eight = TRAIN.subList(0, 8);
    Map<String, float[]> before = new LinkedHashMap<>();
    Map<String, float[]> a = new LinkedHashMap<>();
    Map<String, float[]> b = new LinkedHashMap<>();
    double lossA = oneStep(accumulated, noDropout, eight, before, a);
    double lossB = oneStep(whole, noDropout, eight, before, b);
    assertThat(lossA).isCloseTo(lossB, Offset.offset(1e-5));
    float worst = 0;
    float largest = 0;
    for (String name : a.keySet()) {
      for (int i = 0; i < a.get(name).length; i++) {
        worst = Math.max(worst, Math.abs(a.get(name)[i] - b.get(name)[i]));
        largest = Math.max(largest, Math.abs(a.get(name)[i] - before.get(name)[i]));
      }
    }
    System.out.printf(
        "accumulated vs whole batch: max update %.3e, max diff %.3e%n", largest, worst);
    assertThat(largest).isGreaterThan(1e-2f);
    assertThat(worst).isLessThan(1e-5f);
  }

  private double oneStep(
      TrainingArguments args,
      LoraSpec lora,
      List<TrainingExample> data,
      Map<String, float[]> before,
      Map<String, float[]> out) {
    try (QloraModel model = TrainFixtures.llama(manager, QuantizationSpec.qlora(), lora, 7)) {
      GradientCheckpointingTest.randomizeB(model, 5);
      model.lora().parameters().forEach((name, array) -> before.put(name, array.toFloatArray()));
      TrainResult result =
          QloraTrainer.builder(model, args)
              .outputDir(dir.resolve("step-" + args.perDeviceTrainBatchSize()))
              .logSink(l -> {})
              .build()
              .train(data, List.of(), Optional.empty());
      model.lora().parameters().forEach((name, array) -> out.put(name, array.toFloatArray()));
      return result.trainLoss();
    }
  }

  @Test
  void refusesToResumeOverOtherData() {
    TrainingArguments args = arguments(Optimizer.ADAMW_TORCH).build();
    train(dir, args, Optional.empty(), 2, new LinkedHashMap<>());
    try (QloraModel model = TrainFixtures.llama(manager, QuantizationSpec.qlora(), LORA, 7)) {
      QloraTrainer trainer =
          QloraTrainer.builder(model, args).outputDir(dir).logSink(l -> {}).build();
      assertThatThrownBy(
              () ->
                  trainer.train(
                      TRAIN.subList(0, 20), EVAL, Optional.of(dir.resolve("checkpoint-2"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("other data");
    }
  }

  private static List<String> strip(List<TrainingLog> history) {
    return history.stream()
        .map(
            l -> {
              Map<String, Double> m = new LinkedHashMap<>(l.metrics());
              m.keySet().removeIf(k -> k.contains("per_second") || k.contains("runtime"));
              return l.kind() + "@" + l.step() + m;
            })
        .toList();
  }
}
