package dev.tune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withPrecision;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.error.BadInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamW8bitTest {

  /** 16 full blocks and a partial one of 100 values. */
  private static final int ROWS = 4;

  private static final int COLS = 1049;
  private static final int N = ROWS * COLS;

  private static final double[] LRS = {1e-2, 5e-3, 2e-2, 1e-3, 3e-2, 1e-2};
  private static final AdamWOptions OPTIONS = new AdamWOptions(0.9, 0.999, 1e-8, 0.01);

  private NDManager manager;
  private float[] start;
  private float[][] grads;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    Random random = new Random(7);
    start = new float[N];
    for (int i = 0; i < N; i++) {
      start[i] = (float) random.nextGaussian();
    }
    grads = new float[LRS.length][N];
    for (int t = 0; t < LRS.length; t++) {
      for (int i = 0; i < N; i++) {
        // magnitudes over several decades, so many codes of the dynamic map are exercised
        grads[t][i] = (float) (random.nextGaussian() * Math.pow(10, -random.nextInt(4)));
      }
    }
    // Block 3 sees a zero gradient on the first step: its absmax is 0 and the kernel's 0/0 codes.
    for (int i = 3 * 256; i < 4 * 256; i++) {
      grads[0][i] = 0f;
    }
    // Non-finite gradients leave their element alone and zero its moments.
    grads[2][5] = Float.NaN;
    grads[2][4100] = Float.POSITIVE_INFINITY;
    grads[3][17] = Float.NEGATIVE_INFINITY;
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @Test
  void matchesTheBitsandbytesKernel() {
    float[] p = start.clone();
    int[] codes1 = new int[N];
    int[] codes2 = new int[N];
    float[] absmax1 = new float[17];
    float[] absmax2 = new float[17];

    NDArray param = parameter(start, new Shape(ROWS, COLS));
    try (AdamW8bit adam = new AdamW8bit(OPTIONS, manager, false)) {
      for (int t = 1; t <= LRS.length; t++) {
        Gradients.set(param, grads[t - 1]);
        adam.step(List.of(TrainableParameter.of("w", param)), LRS[t - 1]);
        BnbAdamKernel.step8bit(
            p,
            grads[t - 1],
            codes1,
            absmax1,
            codes2,
            absmax2,
            BnbAdamKernel.Launch.of(0.9, 0.999, 1e-8, 0.01, LRS[t - 1], t));

        // libtorch's CPU sqrt is not always correctly rounded (seen 1 ulp low), so the weights
        // may differ from the IEEE model in the last bits; the moments never see a sqrt.
        assertThat(param.toFloatArray())
            .as("params after step %d", t)
            .containsExactly(p, withPrecision(1e-6f));
        try (OptimizerState state = adam.state(manager)) {
          assertThat(state.tensors().get("w.state1").getShape()).isEqualTo(new Shape(ROWS, COLS));
          assertThat(state.tensors().get("w.state1").getDataType()).isEqualTo(DataType.UINT8);
          assertThat(unsigned(state.tensors().get("w.state1")))
              .as("m codes")
              .containsExactly(codes1);
          assertThat(unsigned(state.tensors().get("w.state2")))
              .as("v codes")
              .containsExactly(codes2);
          assertThat(state.tensors().get("w.absmax1").toFloatArray()).containsExactly(absmax1);
          assertThat(state.tensors().get("w.absmax2").toFloatArray()).containsExactly(absmax2);
        }
      }
    }
    float[] after = param.toFloatArray();
    assertThat(after[5]).as("NaN gradient at step 3 left the weight alone").isNotNaN();
    assertThat(after[4100]).isFinite();
  }

  @Test
  void paddingOfAPartialLastBlockTakesPartInItsAbsmax() {
    // One real value in the last block. Step 2 nearly cancels its first moment, so the padding
    // (code 128 = 5.5e-7 of the old absmax, times beta1) outweighs it, as in the kernel.
    int n = 4097;
    float[] first = new float[n];
    float[] second = new float[n];
    Arrays.fill(first, 0.5f);
    Arrays.fill(second, 0.5f);
    first[n - 1] = 1f;
    second[n - 1] = -0.9f;
    float[] p = new float[n];
    int[] codes1 = new int[n];
    int[] codes2 = new int[n];
    float[] absmax1 = new float[17];
    float[] absmax2 = new float[17];
    NDArray param = parameter(new float[n], new Shape(n));
    try (AdamW8bit adam = new AdamW8bit(OPTIONS, manager, false)) {
      float[][] steps = {first, second};
      for (int t = 1; t <= 2; t++) {
        Gradients.set(param, steps[t - 1]);
        adam.step(List.of(TrainableParameter.of("w", param)), 1e-3);
        BnbAdamKernel.step8bit(
            p,
            steps[t - 1],
            codes1,
            absmax1,
            codes2,
            absmax2,
            BnbAdamKernel.Launch.of(0.9, 0.999, 1e-8, 0.01, 1e-3, t));
      }
      try (OptimizerState state = adam.state(manager)) {
        float[] absmax = state.tensors().get("w.absmax1").toFloatArray();
        assertThat(absmax[16]).as("absmax of the last block").isEqualTo(absmax1[16]);
        assertThat(absmax1[16])
            .as("set by the padding, not by the real value")
            .isEqualTo(BnbAdamKernel.SIGNED[128] * (1f - 0.9f) * 0.9f);
        assertThat(unsigned(state.tensors().get("w.state1"))).containsExactly(codes1);
      }
    }
  }

  @Test
  void kernelModelAgreesWithHandComputedAdamOnTheFirstStep() {
    // Independent of quantization: on step 1 with zero moments, m = 0.1 g, v = 0.001 g^2, and
    // the update is -lr * sqrt(0.001) / 0.1 * m / (sqrt(v) + sqrt(0.001) eps) ~ -lr * sign(g).
    float[] p = {1f};
    float[] g = {0.5f};
    float[] s1 = {0f};
    float[] s2 = {0f};
    BnbAdamKernel.step32bit(p, g, s1, s2, BnbAdamKernel.Launch.of(0.9, 0.999, 1e-8, 0.0, 0.01, 1));
    assertThat((double) s1[0]).isCloseTo(0.05, within(1e-7));
    // 1f - 0.999f is 0.00099998713 in fp32, as in the kernel
    assertThat((double) s2[0]).isCloseTo(0.00025, within(1e-8));
    assertThat((double) p[0]).isCloseTo(0.99, within(1e-7));
  }

  @Test
  void smallParametersKeepFp32MomentsWithTheThirtyTwoBitKernel() {
    float[] values = {0.5f, -1.25f, 2.0f, 0.0f, 3f};
    float[][] small = {
      {0.1f, -0.2f, 0.3f, 0.0f, 1f},
      {0.4f, 0.1f, -0.5f, 1e-4f, -1f},
      {-0.3f, 0.2f, 0.2f, -2.0f, 0.5f},
    };
    float[] p = values.clone();
    float[] s1 = new float[values.length];
    float[] s2 = new float[values.length];
    NDArray param = parameter(values, new Shape(values.length));
    try (AdamW8bit adam = new AdamW8bit(OPTIONS, manager, false)) {
      for (int t = 1; t <= small.length; t++) {
        Gradients.set(param, small[t - 1]);
        adam.step(List.of(TrainableParameter.of("bias", param)), 0.05);
        BnbAdamKernel.step32bit(
            p, small[t - 1], s1, s2, BnbAdamKernel.Launch.of(0.9, 0.999, 1e-8, 0.01, 0.05, t));
        assertThat(param.toFloatArray()).as("step %d", t).containsExactly(p, withPrecision(1e-6f));
      }
      try (OptimizerState state = adam.state(manager)) {
        assertThat(state.tensors().get("bias.state1").getDataType()).isEqualTo(DataType.FLOAT32);
        // the moments take no sqrt: exact
        assertThat(state.tensors().get("bias.state1").toFloatArray()).containsExactly(s1);
        assertThat(state.tensors().get("bias.state2").toFloatArray()).containsExactly(s2);
        assertThat(state.tensors()).doesNotContainKey("bias.absmax1");
        assertThat(state.metadataJson()).contains("\"layout\":\"fp32\"");
      }
    }
  }

  @Test
  void weightDecayComesAfterTheUpdateUnlikeTorch() {
    float[] zeros = new float[N];
    NDArray param = parameter(start, new Shape(N));
    try (AdamW8bit adam = new AdamW8bit(OPTIONS.withWeightDecay(0.5), manager, false)) {
      Gradients.set(param, zeros);
      adam.step(List.of(TrainableParameter.of("w", param)), 0.1);
    }
    // a zero gradient gives a zero update; what remains is the decay alone
    float[] after = param.toFloatArray();
    float decay = 1f - 0.1f * 0.5f;
    for (int i = 0; i < 10; i++) {
      assertThat(after[i]).isEqualTo(start[i] * decay);
    }
  }

  @Test
  void tracksFullPrecisionAdamClosely() {
    // Gradients of one scale: with spreads of many decades inside a block, second moments below
    // ~1e-7 of the block's absmax round to 0 in the dynamic map, as they do in bitsandbytes.
    Random random = new Random(5);
    float[][] gradients = new float[LRS.length][N];
    for (float[] step : gradients) {
      for (int i = 0; i < N; i++) {
        step[i] = (float) (random.nextGaussian() * 0.1);
      }
    }
    NDArray quantized = parameter(start, new Shape(N));
    float[] p = start.clone();
    float[] s1 = new float[N];
    float[] s2 = new float[N];
    try (AdamW8bit adam = new AdamW8bit(OPTIONS, manager, false)) {
      for (int t = 1; t <= LRS.length; t++) {
        Gradients.set(quantized, gradients[t - 1]);
        adam.step(List.of(TrainableParameter.of("w", quantized)), LRS[t - 1]);
        BnbAdamKernel.step32bit(
            p,
            gradients[t - 1],
            s1,
            s2,
            BnbAdamKernel.Launch.of(0.9, 0.999, 1e-8, 0.01, LRS[t - 1], t));
      }
    }
    float[] after = quantized.toFloatArray();
    double largestMove = 0;
    double largestGap = 0;
    for (int i = 0; i < N; i++) {
      largestMove = Math.max(largestMove, Math.abs(p[i] - start[i]));
      largestGap = Math.max(largestGap, Math.abs(after[i] - p[i]));
    }
    assertThat(largestMove).isGreaterThan(0.05);
    assertThat(largestGap)
        .as("8-bit moments stay close to fp32 ones")
        .isLessThan(0.05 * largestMove);
  }

  @Test
  void resumingFromSavedStateGivesBitIdenticalParameters() {
    NDArray straight = parameter(start, new Shape(N));
    NDArray small = parameter(new float[] {1f, 2f, 3f}, new Shape(3));
    float[] smallGrad = {0.1f, -0.2f, 0.3f};
    try (AdamW8bit adam = new AdamW8bit(OPTIONS, manager, false)) {
      for (int t = 0; t < LRS.length; t++) {
        Gradients.set(straight, grads[t]);
        Gradients.set(small, smallGrad);
        adam.step(
            List.of(TrainableParameter.of("w", straight), TrainableParameter.of("b", small)),
            LRS[t]);
      }
    }
    float[] smallStraight = small.toFloatArray();

    NDArray resumed = parameter(start, new Shape(N));
    NDArray resumedSmall = parameter(new float[] {1f, 2f, 3f}, new Shape(3));
    List<TrainableParameter> params =
        List.of(TrainableParameter.of("w", resumed), TrainableParameter.of("b", resumedSmall));
    OptimizerState saved;
    try (AdamW8bit first = new AdamW8bit(OPTIONS, manager, false)) {
      for (int t = 0; t < 2; t++) {
        Gradients.set(resumed, grads[t]);
        Gradients.set(resumedSmall, smallGrad);
        first.step(params, LRS[t]);
      }
      saved = first.state(manager);
    }
    try (OptimizerState state = saved;
        AdamW8bit second = new AdamW8bit(OPTIONS, manager, false)) {
      second.loadState(state);
      for (int t = 2; t < LRS.length; t++) {
        Gradients.set(resumed, grads[t]);
        Gradients.set(resumedSmall, smallGrad);
        second.step(params, LRS[t]);
      }
    }
    assertThat(resumed.toFloatArray()).containsExactly(straight.toFloatArray());
    assertThat(resumedSmall.toFloatArray()).containsExactly(smallStraight);
  }

  @Test
  void pagedKeepsLargeStatesInHostMemoryAndComputesTheSame() {
    int large = 5000;
    float[] values = new float[large];
    float[] gradient = new float[large];
    Random random = new Random(3);
    for (int i = 0; i < large; i++) {
      values[i] = (float) random.nextGaussian();
      gradient[i] = (float) random.nextGaussian() * 0.01f;
    }
    NDArray viaPaged = parameter(values, new Shape(large));
    NDArray viaDevice = parameter(values, new Shape(large));
    try (AdamW8bit paged = new AdamW8bit(OPTIONS, manager, true, 4500);
        AdamW8bit onDevice = new AdamW8bit(OPTIONS, manager, false)) {
      assertThat(paged.name()).isEqualTo("paged_adamw_8bit");
      for (int t = 0; t < 3; t++) {
        Gradients.set(viaPaged, gradient);
        Gradients.set(viaDevice, gradient);
        paged.step(List.of(TrainableParameter.of("w", viaPaged)), 1e-2);
        onDevice.step(List.of(TrainableParameter.of("w", viaDevice)), 1e-2);
      }
      try (OptimizerState state = paged.state(manager)) {
        assertThat(state.tensors().get("w.state1").getDevice()).isEqualTo(Device.cpu());
        assertThat(state.metadataJson()).contains("paged_adamw_8bit");
      }
    }
    assertThat(viaPaged.toFloatArray()).containsExactly(viaDevice.toFloatArray());
  }

  @Test
  void refusesStateOfTheOtherVariant() {
    NDArray param = parameter(start, new Shape(N));
    OptimizerState saved;
    try (AdamW8bit adam = new AdamW8bit(OPTIONS, manager, false)) {
      Gradients.set(param, grads[0]);
      adam.step(List.of(TrainableParameter.of("w", param)), 1e-3);
      saved = adam.state(manager);
    }
    try (OptimizerState state = saved;
        AdamW torch = new AdamW(OPTIONS, manager)) {
      assertThatThrownBy(() -> torch.loadState(state))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("holds adamw_8bit optimizer state");
    }
  }

  @Test
  void nativeMemoryDoesNotGrowOver200Steps() {
    NDArray large = parameter(start, new Shape(ROWS, COLS));
    NDArray small = parameter(new float[] {1f, 2f, 3f}, new Shape(3));
    List<TrainableParameter> params =
        List.of(TrainableParameter.of("w", large), TrainableParameter.of("b", small));
    Gradients.set(large, grads[1]);
    Gradients.set(small, new float[] {0.1f, 0.2f, 0.3f});
    try (AdamW8bit adam = new AdamW8bit(OPTIONS, manager, true, N)) {
      adam.step(params, 1e-3);
      int afterFirst = manager.getManagedArrays().size();
      for (int i = 0; i < 200; i++) {
        adam.step(params, 1e-3);
      }
      assertThat(manager.getManagedArrays()).hasSize(afterFirst);
    }
  }

  private NDArray parameter(float[] values, Shape shape) {
    NDArray array = manager.create(values, shape);
    array.setRequiresGradient(true);
    return array;
  }

  private static int[] unsigned(NDArray codes) {
    byte[] raw = codes.toByteArray();
    int[] out = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = raw[i] & 0xFF;
    }
    return out;
  }
}
