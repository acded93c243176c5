package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.data.TokenizedExample;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    model =
        new QloraModelPreparer(
                QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, ComputePrecision.float32(), 3)
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
    GradientPass packedPass = pass(packed, checkpointing);
    GradientPass samplesPass = pass(samples, checkpointing);

    System.out.printf(
        "packed loss sum %.5f, unpacked %.5f, max |grad diff| %.3e of max |grad| %.3e%n",
        packedPass.lossSum(),
        samplesPass.lossSum(),
        packedPass.largestDifference(samplesPass),
        samplesPass.largest());
    assertThat(packedPass.lossSum())
        .isCloseTo(samplesPass.lossSum(), Percentage.withPercentage(1e-3));
    assertThat(samplesPass.largest()).isGreaterThan(1e-3f);
    assertThat(packedPass.largestDifference(samplesPass)).isLessThan(1e-4f * samplesPass.largest());
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
    GradientPass naivePass = pass(naive, false);
    GradientPass samplesPass = pass(samples, false);

    System.out.printf(
        "naive packing: eval loss %.6f vs %.6f unpacked; loss sum %.5f vs %.5f%n",
        naiveResult.loss(), samplesResult.loss(), naivePass.lossSum(), samplesPass.lossSum());
    assertThat(naiveResult.tokens()).isEqualTo(samplesResult.tokens());
    assertThat(naiveResult.loss())
        .isNotCloseTo(samplesResult.loss(), Percentage.withPercentage(0.5));
    assertThat(naivePass.lossSum())
        .isNotCloseTo(samplesPass.lossSum(), Percentage.withPercentage(0.5));
    assertThat(naivePass.largestDifference(samplesPass))
        .isGreaterThan(1e-2f * samplesPass.largest());
  }

  /** One forward and backward of {@code examples} as a single micro-batch, in training mode. */
  private GradientPass pass(List<TrainingExample> examples, boolean checkpointing) {
    PaddedBatch batch = PaddedBatch.of(examples, PaddedBatch.padId(model.model().config()));
    model.lora().setTraining(true);
    try {
      return GradientPass.of(model, batch, checkpointing, 5, manager);
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
}
