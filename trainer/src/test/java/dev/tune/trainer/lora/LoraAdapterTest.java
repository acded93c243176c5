package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoraAdapterTest {

  // r = 2, in = 3, out = 4; alpha 4 makes scaling 2
  private static final float[] A = {1, 0, 2, 0, 1, -1};
  private static final float[] B = {1, 2, 0, 1, 3, -1, 1, 1};

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private static LoraConfig config(int r, double alpha, double dropout) {
    return LoraConfig.builder()
        .r(r)
        .loraAlpha(alpha)
        .loraDropout(dropout)
        .targetModules(TargetModules.names(List.of("q_proj")))
        .build();
  }

  private LoraAdapter handMade() {
    return LoraAdapter.of(
        manager.create(A, new Shape(2, 3)), manager.create(B, new Shape(4, 2)), config(2, 4, 0));
  }

  @Test
  void deltaIsXThroughAThenBTimesScaling() {
    LoraAdapter adapter = handMade();

    // A·x = [1+6, 2-3] = [7, -1]; B·[7, -1] = [5, -1, 22, 6]; times 2
    NDArray y = adapter.apply(manager.create(new float[] {1, 2, 3}, new Shape(1, 3)));

    assertThat(y.getShape()).isEqualTo(new Shape(1, 4));
    assertThat(y.toFloatArray()).containsExactly(10, -2, 44, 12);
  }

  @Test
  void deltaKeepsLeadingDimensionsAndIsFloat32WhateverTheInput() {
    LoraAdapter adapter = handMade();
    NDArray x = manager.create(new float[] {1, 2, 3, 0, 0, 1}, new Shape(2, 1, 3));

    NDArray y = adapter.apply(x);
    NDArray yHalf = adapter.apply(x.toType(DataType.FLOAT16, false));

    assertThat(y.getShape()).isEqualTo(new Shape(2, 1, 4));
    // second row: A·[0,0,1] = [2, -1]; B·[2,-1] = [0, -1, 7, 1]; times 2
    assertThat(y.toFloatArray()).containsExactly(10, -2, 44, 12, 0, -2, 14, 2);
    assertThat(yHalf.getDataType()).isEqualTo(DataType.FLOAT32);
    assertThat(yHalf.toType(DataType.FLOAT32, false).toFloatArray())
        .containsExactly(10, -2, 44, 12, 0, -2, 14, 2);
  }

  @Test
  void rsloraScalesByAlphaOverSquareRootOfRank() {
    LoraConfig rs = config(2, 4, 0).toBuilder().useRslora(true).build();
    LoraAdapter adapter =
        LoraAdapter.of(manager.create(A, new Shape(2, 3)), manager.create(B, new Shape(4, 2)), rs);

    NDArray y = adapter.apply(manager.create(new float[] {1, 2, 3}, new Shape(1, 3)));

    double s = 4 / Math.sqrt(2);
    assertThat(adapter.scaling()).isEqualTo(s);
    float[] values = y.toFloatArray();
    float[] expected = {(float) (5 * s), (float) (-1 * s), (float) (22 * s), (float) (6 * s)};
    for (int i = 0; i < 4; i++) {
      assertThat(values[i]).isCloseTo(expected[i], within(1e-5f));
    }
  }

  @Test
  void mergeAddsBTimesATimesScalingToTheWeight() {
    LoraAdapter adapter = handMade();
    NDArray weight = manager.ones(new Shape(4, 3));

    NDArray merged = adapter.mergeInto(weight);

    // B·A = [[1,2,0],[0,1,-1],[3,-1,7],[1,1,1]]; times 2, plus 1
    assertThat(merged.toFloatArray()).containsExactly(3, 5, 1, 1, 3, -1, 7, -1, 15, 3, 3, 3);
    assertThat(weight.toFloatArray()).containsOnly(1f);
    assertThat(merged.getManager()).isSameAs(weight.getManager());
  }

  @Test
  void mergedLayerComputesWhatBasePlusDeltaComputes() {
    LoraAdapter adapter = handMade();
    NDArray weight = manager.randomNormal(new Shape(4, 3));
    NDArray x = manager.randomNormal(new Shape(5, 3));

    NDArray viaDelta = x.matMul(weight.transpose()).add(adapter.apply(x));
    NDArray viaMerge = x.matMul(adapter.mergeInto(weight).transpose());

    assertThat(viaMerge.sub(viaDelta).abs().max().getFloat()).isLessThan(1e-5f);
  }

  @Test
  void mergeIntoAHalfPrecisionWeightRoundsOnceAfterTheFloat32Sum() {
    LoraAdapter adapter = handMade();
    // fp16 steps by 4 between 4096 and 8192, so most of 5000 + 2·(B·A) is rounded: the float32
    // sum is rounded once to fp16 (DJL 0.36's PyTorch engine has no bf16)
    NDArray weight = manager.full(new Shape(4, 3), 5000f).toType(DataType.FLOAT16, false);

    NDArray merged = adapter.mergeInto(weight);

    assertThat(merged.getDataType()).isEqualTo(DataType.FLOAT16);
    // exact sums 5002 5004 5000 | 5000 5002 4998 | 5006 4998 5014 | 5002 5002 5002, ties to even
    assertThat(merged.toType(DataType.FLOAT32, false).toFloatArray())
        .containsExactly(5000, 5004, 5000, 5000, 5000, 5000, 5008, 5000, 5016, 5000, 5000, 5000);
  }

  @Test
  void mergeRefusesAWeightOfAnotherShape() {
    assertThatThrownBy(() -> handMade().mergeInto(manager.zeros(new Shape(3, 4))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(4, 3)");
  }

  @Test
  void gradientsOfASumAreHandComputable() {
    LoraAdapter adapter = handMade();
    adapter.setTrainable(true);
    NDArray x = manager.create(new float[] {1, 2, 3}, new Shape(1, 3));

    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(adapter.apply(x).sum());
    }

    // dL/dB[o,:] = 2·(A·x) = [14, -2] for each output o
    assertThat(adapter.loraB().getGradient().toFloatArray())
        .containsExactly(14, -2, 14, -2, 14, -2, 14, -2);
    // dL/dA[k,i] = 2·(Σ_o B[o,k])·x[i], column sums of B = [5, 3]
    assertThat(adapter.loraA().getGradient().toFloatArray()).containsExactly(10, 20, 30, 6, 12, 18);
  }

  @Test
  void initialisationIsPeftsKaimingUniformAAndZeroB() {
    int in = 4096;
    LoraAdapter adapter =
        LoraAdapter.initialize(manager, in, 64, config(8, 16, 0), new SplittableRandom(7));

    double bound = 1 / Math.sqrt(in);
    assertThat(LoraAdapter.kaimingUniformBound(in)).isCloseTo(bound, within(1e-15));
    assertThat(adapter.loraA().getShape()).isEqualTo(new Shape(8, in));
    assertThat(adapter.loraB().getShape()).isEqualTo(new Shape(64, 8));
    assertThat(adapter.loraB().toFloatArray()).containsOnly(0f);
    float[] a = adapter.loraA().toFloatArray();
    double sum = 0;
    double squares = 0;
    float max = 0;
    for (float v : a) {
      sum += v;
      squares += v * v;
      max = Math.max(max, Math.abs(v));
    }
    double mean = sum / a.length;
    double std = Math.sqrt(squares / a.length - mean * mean);
    assertThat(max).isLessThanOrEqualTo((float) bound).isGreaterThan((float) (0.99 * bound));
    // uniform(-b, b): mean 0, std b/sqrt(3); 32768 draws put both within a few percent
    assertThat(mean).isCloseTo(0, within(0.02 * bound));
    assertThat(std).isCloseTo(bound / Math.sqrt(3), within(0.02 * bound));
    assertThat(adapter.loraA().hasGradient()).isTrue();
    assertThat(adapter.loraB().hasGradient()).isTrue();
    // a fresh adapter changes nothing
    NDArray x = manager.randomNormal(new Shape(3, in));
    assertThat(adapter.apply(x).toFloatArray()).containsOnly(0f);
  }

  @Test
  void initialisationIsReproducibleFromTheSeed() {
    LoraConfig c = config(4, 8, 0);
    float[] first =
        LoraAdapter.initialize(manager, 16, 8, c, new SplittableRandom(1)).loraA().toFloatArray();
    float[] again =
        LoraAdapter.initialize(manager, 16, 8, c, new SplittableRandom(1)).loraA().toFloatArray();
    float[] other =
        LoraAdapter.initialize(manager, 16, 8, c, new SplittableRandom(2)).loraA().toFloatArray();

    assertThat(again).containsExactly(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void dropoutActsOnlyWhileTrainingAndFollowsTheEngineSeed() {
    LoraAdapter adapter =
        LoraAdapter.of(
            manager.create(A, new Shape(2, 3)),
            manager.create(B, new Shape(4, 2)),
            config(2, 4, 0.5));
    NDArray x = manager.ones(new Shape(64, 3));
    float[] clean = adapter.apply(x).toFloatArray();

    adapter.setTraining(true);
    Engine.getInstance().setRandomSeed(42);
    float[] first = adapter.apply(x).toFloatArray();
    Engine.getInstance().setRandomSeed(42);
    float[] again = adapter.apply(x).toFloatArray();
    adapter.setTraining(false);

    assertThat(again).containsExactly(first);
    assertThat(first).isNotEqualTo(clean);
    assertThat(adapter.apply(x).toFloatArray()).containsExactly(clean);
    // inverted dropout keeps the expectation: the mean over 64 rows stays near the clean mean
    double cleanMean = mean(clean);
    assertThat(mean(first)).isCloseTo(cleanMean, within(Math.abs(cleanMean) * 0.5));
  }

  @Test
  void weightsOfTheWrongRankAreRefused() {
    assertThatThrownBy(
            () ->
                LoraAdapter.of(
                    manager.create(A, new Shape(2, 3)),
                    manager.create(B, new Shape(4, 2)),
                    config(4, 8, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("r=4");
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return sum / values.length;
  }
}
