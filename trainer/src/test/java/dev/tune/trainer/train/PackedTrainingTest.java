package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.data.TokenizedExample;
import dev.tune.trainer.optim.Optimizer;
import dev.tune.trainer.optim.TrainableParameter;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A packed row trains and evaluates as its samples would one by one: the quickstart's held-out rows
 * go through {@link DataPipeline} with packing on, and the loss and LoRA gradients of the packed
 * rows are compared with those of the same samples cut out of them and padded as ordinary rows.
 * Dropping the sequence and position ids lets samples attend to each other, which changes both.
 */
@ExtendWith(SingleThreadedTorch.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackedTrainingTest {

  private static final int ROW_LENGTH = 128;

  private NDManager manager;
  private QloraModel model;
  private List<TrainingExample> packed;
  private List<TrainingExample> samples;

  @BeforeAll
  void load() {
    manager = NDManager.newBaseManager();
    LoraSpec lora = new LoraSpec(8, 16, 0.0, List.of(LoraSpec.ALL_LINEAR));
    model =
        new QloraModelPreparer(QuantizationSpec.qlora(), lora, ComputePrecision.float32(), 3)
            .prepare(QuickstartAssets.model(), "quickstart", manager);
    // LoRA B starts at zero, where A gets no gradient; random B makes the comparison cover A too
    GradientCheckpointingTest.randomizeB(model, 11);
    Path rows = QuickstartAssets.dir().resolve("data/eval.jsonl");
    DataSpec spec =
        DataSpec.builder(FileUri.of(rows)).maxSeqLength(ROW_LENGTH).packing(true).build();
    try (ModelTokenizer tokenizer = ModelTokenizer.load(QuickstartAssets.model())) {
      DataPipeline data = DataPipeline.open(spec, List.of(rows), List.of(), tokenizer, 1);
      packed = new ArrayList<>();
      for (TokenizedExample row : data.train()) {
        packed.add(TrainingExample.of(row));
        if (packed.size() == 3) {
          break;
        }
      }
    }
    samples = packed.stream().flatMap(row -> samplesOf(row).stream()).toList();
  }

  @AfterAll
  void close() {
    model.close();
    manager.close();
  }

  @Test
  void thePipelinePacksSeveralSamplesPerRow() {
    assertThat(packed).allMatch(TrainingExample::isPacked);
    assertThat(packed).allMatch(row -> row.length() == ROW_LENGTH);
    assertThat(samples.size()).isGreaterThanOrEqualTo(2 * packed.size());
    assertThat(samples.stream().mapToInt(TrainingExample::trainedTokens).sum())
        .isEqualTo(packed.stream().mapToInt(TrainingExample::trainedTokens).sum());
  }

  @Test
  void anUploadHandsEachBatchItsOwnPositionsAndSequences() {
    PaddedBatch plain = PaddedBatch.of(List.of(TrainingExample.ofText(new long[] {4, 5})), 2);
    PaddedBatch packedBatch =
        PaddedBatch.of(
            List.of(
                TrainingExample.packed(
                    new long[] {4, 5, 6},
                    new long[] {4, 5, 6},
                    new int[] {0, 1, 0},
                    new int[] {0, 0, 1})),
            2);
    try (NDManager step = manager.newSubManager();
        BatchUpload upload = new BatchUpload(List.of(plain, packedBatch), step)) {
      DeviceBatch first = upload.device(0, step);
      DeviceBatch second = upload.device(1, step);

      assertThat(first.positionIds()).isEmpty();
      assertThat(first.sequenceIds()).isEmpty();
      assertThat(second.positionIds().orElseThrow().toLongArray()).containsExactly(0, 1, 0);
      assertThat(second.sequenceIds().orElseThrow().toLongArray()).containsExactly(0, 0, 1);
      assertThat(second.positionIds().orElseThrow().getShape())
          .isEqualTo(second.inputIds().getShape());
    }
  }

  @ParameterizedTest(name = "gradient checkpointing {0}")
  @ValueSource(booleans = {false, true})
  void aPackedBatchTrainsAsItsSamplesDoUnpacked(boolean checkpointing) {
    Map<String, float[]> packedGradients = new LinkedHashMap<>();
    float packedLoss = lossAndGradients(packed, checkpointing, packedGradients);
    Map<String, float[]> sampleGradients = new LinkedHashMap<>();
    float samplesLoss = lossAndGradients(samples, checkpointing, sampleGradients);

    System.out.printf(
        "packed loss sum %.5f, unpacked %.5f, max |grad diff| %.3e of max |grad| %.3e%n",
        packedLoss,
        samplesLoss,
        largestDifference(packedGradients, sampleGradients),
        largest(sampleGradients));
    assertThat(packedLoss).isCloseTo(samplesLoss, Percentage.withPercentage(1e-3));
    assertThat(largest(sampleGradients)).isGreaterThan(1e-3f);
    assertThat(largestDifference(packedGradients, sampleGradients))
        .isLessThan(1e-4f * largest(sampleGradients));
  }

  @Test
  void packedRowsEvaluateAsTheirSamplesDoUnpacked() {
    EvalResult packedResult = Evaluation.run(model, packed, 2);
    EvalResult samplesResult = Evaluation.run(model, samples, 4);

    System.out.printf(
        "eval loss: packed %.6f, unpacked %.6f%n", packedResult.loss(), samplesResult.loss());
    assertThat(packedResult.tokens()).isEqualTo(samplesResult.tokens());
    assertThat(packedResult.loss())
        .isCloseTo(samplesResult.loss(), Percentage.withPercentage(1e-3));
  }

  @Test
  void withoutSequenceAndPositionIdsSamplesSeeEachOther() {
    List<TrainingExample> naive = packed.stream().map(PackedTrainingTest::withoutIds).toList();
    EvalResult naiveResult = Evaluation.run(model, naive, 2);
    EvalResult samplesResult = Evaluation.run(model, samples, 4);
    Map<String, float[]> naiveGradients = new LinkedHashMap<>();
    float naiveLoss = lossAndGradients(naive, false, naiveGradients);
    Map<String, float[]> sampleGradients = new LinkedHashMap<>();
    float samplesLoss = lossAndGradients(samples, false, sampleGradients);

    System.out.printf(
        "naive packing: eval loss %.6f vs %.6f unpacked; loss sum %.5f vs %.5f%n",
        naiveResult.loss(), samplesResult.loss(), naiveLoss, samplesLoss);
    assertThat(naiveResult.tokens()).isEqualTo(samplesResult.tokens());
    assertThat(naiveResult.loss())
        .isNotCloseTo(samplesResult.loss(), Percentage.withPercentage(0.5));
    assertThat(naiveLoss).isNotCloseTo(samplesLoss, Percentage.withPercentage(0.5));
    assertThat(largestDifference(naiveGradients, sampleGradients))
        .isGreaterThan(1e-2f * largest(sampleGradients));
  }

  /**
   * One forward and backward of {@code examples} as a single micro-batch; returns the summed token
   * loss and leaves each LoRA parameter's gradient of the mean loss in {@code out}.
   */
  private float lossAndGradients(
      List<TrainingExample> examples, boolean checkpointing, Map<String, float[]> out) {
    PaddedBatch batch = PaddedBatch.of(examples, PaddedBatch.padId(model.model().config()));
    List<TrainableParameter> params = model.trainableParameters();
    TrainingGraph graph = new TrainingGraph(model.model(), checkpointing, new StepSeeds(5));
    model.lora().setTraining(true);
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
    } finally {
      model.lora().setTraining(false);
    }
  }

  /**
   * The samples of a packed row as ordinary examples, in row order; the row's trailing padding (a
   * run of its own with nothing trained) is left out.
   */
  private static List<TrainingExample> samplesOf(TrainingExample row) {
    long[] ids = row.inputIds();
    long[] labels = row.labels();
    int[] sequences = row.sequenceIds().orElseThrow();
    List<TrainingExample> out = new ArrayList<>();
    int start = 0;
    for (int t = 1; t <= ids.length; t++) {
      if (t == ids.length || sequences[t] != sequences[start]) {
        TrainingExample sample =
            new TrainingExample(
                Arrays.copyOfRange(ids, start, t), Arrays.copyOfRange(labels, start, t));
        if (sample.trainedTokens() > 0) {
          out.add(sample);
        }
        start = t;
      }
    }
    return out;
  }

  /** The row as naive packing sees it: one long sequence. */
  private static TrainingExample withoutIds(TrainingExample row) {
    return new TrainingExample(row.inputIds(), row.labels());
  }

  private static float largest(Map<String, float[]> gradients) {
    float largest = 0;
    for (float[] values : gradients.values()) {
      for (float v : values) {
        largest = Math.max(largest, Math.abs(v));
      }
    }
    return largest;
  }

  private static float largestDifference(Map<String, float[]> a, Map<String, float[]> b) {
    assertThat(a.keySet()).isEqualTo(b.keySet());
    float worst = 0;
    for (String name : a.keySet()) {
      float[] x = a.get(name);
      float[] y = b.get(name);
      for (int i = 0; i < x.length; i++) {
        worst = Math.max(worst, Math.abs(x[i] - y[i]));
      }
    }
    return worst;
  }
}
