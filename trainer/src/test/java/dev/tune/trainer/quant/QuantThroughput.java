package dev.tune.trainer.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Prints quantization throughput on a 4096x4096 fp32 weight (a program, not a unit test). From the
 * worktree root:
 *
 * <pre>
 * ./mvnw -q -pl trainer -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=$PWD/trainer/target/cp.txt -Dmdep.includeScope=test
 * java -Dai.djl.offline=true \
 *     -cp "$(cat trainer/target/cp.txt):trainer/target/classes:trainer/target/test-classes" \
 *     dev.tune.trainer.quant.QuantThroughput 5
 * </pre>
 *
 * <p>The argument is the number of timed runs (median reported). {@code -Dtune.device=gpu} runs on
 * the GPU where DJL finds a CUDA libtorch.
 */
public final class QuantThroughput {

  private QuantThroughput() {}

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String deviceName = System.getProperty("tune.device", "cpu");
    ai.djl.Device device = ai.djl.Device.fromName(deviceName);
    try (NDManager manager = NDManager.newBaseManager(device)) {
      manager.getEngine().setRandomSeed(1);
      NDArray weight = manager.randomNormal(0f, 0.02f, new Shape(4096, 4096), DataType.FLOAT32);
      double megabytes = weight.size() * 4 / 1e6;
      System.out.printf(
          Locale.ROOT,
          "device %s, weight %s fp32 = %.1f MB%n",
          device,
          weight.getShape(),
          megabytes);

      report(
          "NF4 quantize (double quant)", megabytes, runs, () -> Nf4Tensor.quantize(weight, true));
      report(
          "NF4 quantize (plain absmax)", megabytes, runs, () -> Nf4Tensor.quantize(weight, false));
      try (Nf4Tensor q = Nf4Tensor.quantize(weight, true)) {
        System.out.printf(
            Locale.ROOT, "  bytes per parameter with double quant: %.5f%n", q.bytesPerParameter());
        report("NF4 dequantize -> fp16", megabytes, runs, () -> q.dequantize(DataType.FLOAT16));
        report("NF4 dequantize -> fp32", megabytes, runs, () -> q.dequantize(DataType.FLOAT32));
      }
      report(
          "8-bit blockwise quantize",
          megabytes,
          runs,
          () -> Blockwise8bit.signed().quantize(weight));
      try (NDArray blocks = Tensors.asBlocks(weight, 64);
          NDArray scaled = blocks.div(0.1f)) {
        report("  NF4 codes only", megabytes, runs, () -> Nf4.CODEBOOK.encode(scaled));
        Codebook dynamic = Blockwise8bit.signed().codebook();
        report("  8-bit codes only", megabytes, runs, () -> dynamic.encode(scaled));
      }
    }
  }

  private static void report(String what, double megabytes, int runs, Supplier<AutoCloseable> op) {
    close(op.get()); // warm-up
    double[] seconds = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      AutoCloseable result = op.get();
      seconds[i] = (System.nanoTime() - start) / 1e9;
      close(result);
    }
    Arrays.sort(seconds);
    double median = seconds[runs / 2];
    System.out.printf(
        Locale.ROOT,
        "%-32s median %8.1f ms  %8.1f MB/s  (runs %s)%n",
        what,
        median * 1e3,
        megabytes / median,
        Arrays.toString(Arrays.stream(seconds).map(s -> Math.round(s * 1e4) / 10.0).toArray()));
  }

  private static void close(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
