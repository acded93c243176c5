package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.Optimizer;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.lora.LoraAdapter;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.ModelPlacement;
import dev.tune.trainer.optim.TrainableParameter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model placed over two slots computes what the unplaced model computes.
 *
 * <p>libtorch accepts no CPU device but {@code cpu} ({@code cpu:1} is refused: "CPU device index
 * must be -1 or zero"), so both slots here run on the one CPU. The trainer does not know: each slot
 * has its own manager, its layers' weights and adapters live there, and every boundary is crossed
 * by the same copy (recorded, differentiable) that it makes between two GPUs; the crossings are
 * counted to prove they happened. {@link MultiGpuPlacementTest} runs the same over real GPUs.
 */
@ExtendWith(SingleThreadedTorch.class)
class PlacedTrainingTest {

  private static final LoraSpec LORA = new LoraSpec(8, 16, 0.1, List.of(LoraSpec.ALL_LINEAR));

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

  /** As the planner places a 2-layer model on two devices: layer 1, the norm and head on slot 1. */
  static ModelPlacement plannerLike() {
    return new ModelPlacement(List.of(Device.cpu(), Device.cpu()), 0, List.of(0, 1), 1, 1);
  }

  /** Every boundary crossed: embeddings 1, layers 0 then 1, norm 0, head 1. */
  static ModelPlacement pingPong() {
    return new ModelPlacement(List.of(Device.cpu(), Device.cpu()), 1, List.of(0, 1), 0, 1);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // placement, checkpointing, crossings per forward+backward
        Arguments.of("planner-like", plannerLike(), false, 1),
        Arguments.of("planner-like", plannerLike(), true, 2),
        Arguments.of("ping-pong", pingPong(), false, 4),
        Arguments.of("ping-pong", pingPong(), true, 5));
  }

  @ParameterizedTest(name = "{0}, checkpointing {2}")
  @MethodSource("cases")
  void placedLossAndGradientsEqualUnplacedOnes(
      String label, ModelPlacement placement, boolean checkpointing, int crossings) {
    PaddedBatch batch =
        PaddedBatch.of(
            List.of(
                TrainingExample.ofCompletion(new long[] {0, 17, 40, 99}, new long[] {7, 8, 1}),
                TrainingExample.ofText(new long[] {0, 300, 301, 302, 303, 304, 305, 306, 1}),
                TrainingExample.ofText(new long[] {0, 42, 43})),
            2);
    Map<String, float[]> unplacedGrads = new LinkedHashMap<>();
    Map<String, float[]> placedGrads = new LinkedHashMap<>();
    float unplacedLoss;
    float placedLoss;
    try (QloraModel unplaced = prepare(Optional.empty())) {
      unplacedLoss = gradients(unplaced, batch, checkpointing, unplacedGrads);
      assertThat(unplaced.model().slotCrossings()).isZero();
    }
    try (QloraModel placed = prepare(Optional.of(placement))) {
      placedLoss = gradients(placed, batch, checkpointing, placedGrads);
      assertThat(placed.model().slotCrossings()).isEqualTo(crossings);
    }

    assertThat(placedLoss).isEqualTo(unplacedLoss);
    assertThat(placedGrads.keySet()).isEqualTo(unplacedGrads.keySet());
    float largest = 0;
    for (String name : unplacedGrads.keySet()) {
      assertThat(placedGrads.get(name)).as(name).containsExactly(unplacedGrads.get(name));
      for (float g : unplacedGrads.get(name)) {
        largest = Math.max(largest, Math.abs(g));
      }
    }
    // every adapter of both layers got a gradient, so the graph was not cut at a boundary
    assertThat(largest).isGreaterThan(1e-3f);
    for (Map.Entry<String, float[]> e : placedGrads.entrySet()) {
      if (e.getKey().contains("lora_A")) {
        float sum = 0;
        for (float g : e.getValue()) {
          sum += Math.abs(g);
        }
        assertThat(sum).as(e.getKey()).isGreaterThan(0f);
      }
    }
  }

  @Test
  void weightsAndAdaptersLiveInTheirSlotsManager() {
    try (QloraModel placed = prepare(Optional.of(plannerLike()))) {
      CausalLm model = placed.model();
      NDManager slot0 = model.managerOf("model.layers.0");
      NDManager slot1 = model.managerOf("model.layers.1");
      assertThat(slot0).isNotSameAs(slot1);
      assertThat(model.managerOf("model.embed_tokens")).isSameAs(slot0);
      assertThat(model.managerOf("model.norm")).isSameAs(slot1);
      assertThat(model.managerOf("lm_head")).isSameAs(slot1);
      model
          .parameters()
          .forEach(
              (name, array) ->
                  assertThat(array.getManager()).as(name).isSameAs(model.managerOf(name)));
      for (Map.Entry<String, LoraAdapter> e : placed.lora().adapters().entrySet()) {
        NDManager expected = model.managerOf(e.getKey());
        assertThat(ownedBy(e.getValue().loraA(), expected)).as(e.getKey()).isTrue();
        assertThat(ownedBy(e.getValue().loraB(), expected)).as(e.getKey()).isTrue();
      }
    }
  }

  @ParameterizedTest(name = "checkpointing {0}")
  @ValueSource(booleans = {false, true})
  void placedTrainingMatchesUnplacedTraining(boolean checkpointing) {
    TrainingArguments args =
        TrainingArguments.builder()
            .maxSteps(3)
            .perDeviceTrainBatchSize(4)
            .learningRate(2e-3)
            .optim(Optimizer.ADAMW_TORCH)
            .maxGradNorm(0.5)
            .loggingSteps(1)
            .evalSteps(3)
            .saveSteps(3)
            .gradientCheckpointing(checkpointing)
            .seed(7)
            .build();
    Map<String, float[]> unplacedAdapter = new LinkedHashMap<>();
    Map<String, float[]> placedAdapter = new LinkedHashMap<>();
    TrainResult unplaced = train(Optional.empty(), args, dir.resolve("unplaced"), unplacedAdapter);
    TrainResult placed = train(Optional.of(pingPong()), args, dir.resolve("placed"), placedAdapter);

    assertThat(placed.trainLoss()).isEqualTo(unplaced.trainLoss());
    assertThat(placed.evalLoss()).isEqualTo(unplaced.evalLoss());
    assertThat(numbers(placed)).isEqualTo(numbers(unplaced)).isNotEmpty();
    for (String name : unplacedAdapter.keySet()) {
      assertThat(placedAdapter.get(name)).as(name).containsExactly(unplacedAdapter.get(name));
    }
  }

  /** The logged loss, gradient norm and eval loss of each step (not the timings). */
  private static List<String> numbers(TrainResult result) {
    return result.logHistory().stream()
        .flatMap(
            log ->
                log.metrics().entrySet().stream()
                    .filter(e -> List.of("loss", "grad_norm", "eval_loss").contains(e.getKey()))
                    .map(e -> log.step() + " " + e.getKey() + " " + e.getValue()))
        .toList();
  }

  private TrainResult train(
      Optional<ModelPlacement> placement,
      TrainingArguments args,
      Path out,
      Map<String, float[]> adapter) {
    try (QloraModel model = prepare(placement)) {
      TrainResult result =
          QloraTrainer.builder(model, args)
              .outputDir(out)
              .logSink(l -> {})
              .build()
              .train(
                  TrainFixtures.randomTexts(16, 1),
                  TrainFixtures.randomTexts(4, 2),
                  Optional.empty());
      model.lora().parameters().forEach((name, array) -> adapter.put(name, array.toFloatArray()));
      return result;
    }
  }

  private QloraModel prepare(Optional<ModelPlacement> placement) {
    QloraModelPreparer preparer =
        new QloraModelPreparer(QuantizationSpec.qlora(), LORA, ComputePrecision.float32(), 3);
    QloraModel model =
        placement
            .map(preparer::withPlacement)
            .orElse(preparer)
            .prepare(TrainFixtures.fixture("llama"), "fixtures/hf/llama", manager);
    GradientCheckpointingTest.randomizeB(model, 11);
    model.lora().setTraining(true);
    return model;
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
      dev.tune.trainer.optim.Optimizer.zeroGrad(params);
      return loss;
    }
  }

  private static boolean ownedBy(NDArray array, NDManager expected) {
    for (NDManager m = array.getManager(); m != null; m = m.getParentManager()) {
      if (m == expected) {
        return true;
      }
    }
    return false;
  }
}
