package dev.tune.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CausalLmLossTest {

  private static final int BATCH = 2;
  private static final int SEQ = 5;
  private static final int VOCAB = 7;

  private NDManager manager;
  private float[] logits;
  private long[] labels;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    Random random = new Random(11);
    logits = new float[BATCH * SEQ * VOCAB];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (random.nextGaussian() * 2.0);
    }
    labels =
        new long[] {
          -100, -100, 3, 6, 0, // the prompt is ignored
          4, 1, -100, 2, -100 // ignored positions in the middle and at the end
        };
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @Test
  void meanMatchesDirectLogSoftmaxOverShiftedUnignoredLabels() {
    double expectedSum = 0;
    int expectedCount = 0;
    for (int b = 0; b < BATCH; b++) {
      for (int t = 0; t < SEQ - 1; t++) {
        long target = labels[b * SEQ + t + 1];
        if (target == -100) {
          continue;
        }
        expectedSum -= logSoftmax(b, t, (int) target);
        expectedCount++;
      }
    }
    assertThat(expectedCount).isEqualTo(5);

    TokenLossSum sum = CausalLmLoss.sumAndCount(logitsArray(), labelsArray());
    NDArray mean = CausalLmLoss.mean(logitsArray(), labelsArray());

    assertThat(sum.count().getFloat()).isEqualTo(5f);
    assertThat((double) sum.sum().getFloat()).isCloseTo(expectedSum, within(1e-5));
    assertThat(mean.getDataType()).isEqualTo(DataType.FLOAT32);
    assertThat(mean.getShape()).isEqualTo(new Shape());
    assertThat((double) mean.getFloat()).isCloseTo(expectedSum / expectedCount, within(1e-6));
  }

  @Test
  void halfPrecisionLogitsAreUpcastBeforeTheSoftmax() {
    NDArray half = logitsArray().toType(DataType.FLOAT16, false);
    NDArray fromHalf = CausalLmLoss.mean(half, labelsArray());
    NDArray fromUpcast = CausalLmLoss.mean(half.toType(DataType.FLOAT32, false), labelsArray());

    assertThat(fromHalf.getDataType()).isEqualTo(DataType.FLOAT32);
    assertThat(fromHalf.getFloat()).isEqualTo(fromUpcast.getFloat());
  }

  @Test
  void gradientsReachHalfPrecisionLogits() {
    NDArray half = logitsArray().toType(DataType.FLOAT16, false);
    half.setRequiresGradient(true);
    NDArray full = logitsArray();
    full.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(CausalLmLoss.mean(half, labelsArray()));
      collector.backward(CausalLmLoss.mean(full, labelsArray()));
    }
    float[] fromHalf = half.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
    float[] fromFull = full.getGradient().toFloatArray();
    double largest = 0;
    for (int i = 0; i < fromHalf.length; i++) {
      assertThat((double) fromHalf[i]).isCloseTo(fromFull[i], within(2e-3));
      largest = Math.max(largest, Math.abs(fromHalf[i]));
    }
    assertThat(largest).isGreaterThan(0.05);
  }

  @Test
  void allIgnoredLabelsGiveNanMeanAndZeroCountLikeTorch() {
    long[] none = new long[BATCH * SEQ];
    Arrays.fill(none, -100L);
    NDArray ignored = manager.create(none, new Shape(BATCH, SEQ));
    TokenLossSum sum = CausalLmLoss.sumAndCount(logitsArray(), ignored);

    assertThat(sum.count().getFloat()).isZero();
    assertThat(sum.sum().getFloat()).isZero();
    assertThat(sum.mean().getFloat()).isNaN();
  }

  @Test
  void sumsOfMicroBatchesDividedByTheTotalCountEqualTheWholeBatchMean() {
    NDArray whole = CausalLmLoss.mean(logitsArray(), labelsArray());
    NDArray logitsAll = logitsArray();
    NDArray labelsAll = labelsArray();
    TokenLossSum first = CausalLmLoss.sumAndCount(logitsAll.get("0:1"), labelsAll.get("0:1"));
    TokenLossSum second = CausalLmLoss.sumAndCount(logitsAll.get("1:2"), labelsAll.get("1:2"));
    NDArray total = first.count().add(second.count());

    float accumulated = first.dividedBy(total).add(second.dividedBy(total)).getFloat();

    assertThat(first.count().getFloat()).isEqualTo(3f);
    assertThat(second.count().getFloat()).isEqualTo(2f);
    assertThat((double) accumulated).isCloseTo(whole.getFloat(), within(1e-6));
  }

  @Test
  void gradientThroughGradientCollectorMatchesCentralFiniteDifferences() {
    NDArray x = logitsArray();
    x.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(CausalLmLoss.mean(x, labelsArray()));
    }
    float[] gradient = x.getGradient().toFloatArray();

    double h = 1e-2;
    double largest = 0;
    for (int i = 0; i < logits.length; i++) {
      double plus = lossWithLogitShifted(i, h);
      double minus = lossWithLogitShifted(i, -h);
      double numeric = (plus - minus) / (2 * h);
      largest = Math.max(largest, Math.abs(numeric));
      assertThat((double) gradient[i])
          .as("d loss / d logit %d", i)
          .isCloseTo(numeric, within(2e-4));
    }
    assertThat(largest).as("the case has non-trivial gradients").isGreaterThan(0.05);
    // Logits of the last position and of positions whose next label is ignored get no gradient.
    for (int v = 0; v < VOCAB; v++) {
      assertThat(gradient[index(0, SEQ - 1, v)]).isZero();
      assertThat(gradient[index(0, 0, v)]).isZero();
      assertThat(gradient[index(1, 1, v)]).isZero();
    }
  }

  @Test
  void rejectsLabelsThatDoNotLineUpWithTheLogits() {
    NDArray shortLabels = manager.zeros(new Shape(BATCH, SEQ - 1), DataType.INT64);
    assertThatThrownBy(() -> CausalLmLoss.mean(logitsArray(), shortLabels))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(2, 4)");
  }

  private double lossWithLogitShifted(int i, double h) {
    // Double-precision reference of the same formula, so the difference quotient is not swamped by
    // fp32 rounding.
    double[] shifted = new double[logits.length];
    for (int k = 0; k < logits.length; k++) {
      shifted[k] = logits[k];
    }
    shifted[i] += h;
    double sum = 0;
    int count = 0;
    for (int b = 0; b < BATCH; b++) {
      for (int t = 0; t < SEQ - 1; t++) {
        long target = labels[b * SEQ + t + 1];
        if (target != -100) {
          sum -= logSoftmax(shifted, b, t, (int) target);
          count++;
        }
      }
    }
    return sum / count;
  }

  private double logSoftmax(int b, int t, int v) {
    double[] asDouble = new double[logits.length];
    for (int k = 0; k < logits.length; k++) {
      asDouble[k] = logits[k];
    }
    return logSoftmax(asDouble, b, t, v);
  }

  private static double logSoftmax(double[] values, int b, int t, int v) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < VOCAB; k++) {
      max = Math.max(max, values[index(b, t, k)]);
    }
    double sumExp = 0;
    for (int k = 0; k < VOCAB; k++) {
      sumExp += Math.exp(values[index(b, t, k)] - max);
    }
    return values[index(b, t, v)] - max - Math.log(sumExp);
  }

  private static int index(int b, int t, int v) {
    return (b * SEQ + t) * VOCAB + v;
  }

  private NDArray logitsArray() {
    return manager.create(logits, new Shape(BATCH, SEQ, VOCAB));
  }

  private NDArray labelsArray() {
    return manager.create(labels, new Shape(BATCH, SEQ));
  }
}
