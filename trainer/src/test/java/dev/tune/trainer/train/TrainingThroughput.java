package dev.tune.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.tune.core.storage.LocalTree;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Measures training throughput on the tiny fixture llama, dense float32 against NF4 (not a test:
 * timings on a shared machine would make a flaky one). Run from the trainer module with the test
 * classpath, e.g. {@code java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp ...
 * dev.tune.trainer.train.TrainingThroughput [checkpointing]}.
 *
 * <p>Each measurement trains 30 steps of 8 sequences of 64 tokens with LoRA on every projection and
 * takes the tokens per second of the last 20 steps (the first 10 warm up the JIT and the
 * allocator). After one unreported warm-up run, the two configurations alternate three times and
 * the median of each is reported, so neither profits from running later in the JVM's life.
 */
public final class TrainingThroughput {

  private static final int STEPS = 30;
  private static final int WARMUP = 10;
  private static final int BATCH = 8;
  private static final int SEQ = 64;

  private TrainingThroughput() {}

  public static void main(String[] args) throws IOException {
    boolean checkpointing = args.length > 0 && args[0].equals("checkpointing");
    List<TrainingExample> data = new ArrayList<>();
    Random random = new Random(1);
    for (int i = 0; i < BATCH * STEPS; i++) {
      long[] ids = new long[SEQ];
      for (int t = 0; t < SEQ; t++) {
        ids[t] = 3L + random.nextInt(509);
      }
      data.add(TrainingExample.ofText(ids));
    }
    measure(QuantizationSpec.qlora(), data, checkpointing);
    List<QuantizationSpec> configurations =
        List.of(QuantizationSpec.none(), QuantizationSpec.qlora());
    double[][] runs = new double[2][3];
    for (int round = 0; round < 3; round++) {
      for (int c = 0; c < 2; c++) {
        runs[c][round] = measure(configurations.get(c), data, checkpointing);
      }
    }
    for (int c = 0; c < 2; c++) {
      double[] sorted = runs[c].clone();
      Arrays.sort(sorted);
      double median = sorted[1];
      System.out.printf(
          "%-20s checkpointing=%s: %.0f tokens/s median (%.1f ms per step of %d tokens; runs"
              + " %.0f, %.0f, %.0f)%n",
          configurations.get(c).loadIn4bit() ? "NF4 (double quant)" : "dense float32",
          checkpointing,
          median,
          1000.0 * BATCH * SEQ / median,
          BATCH * SEQ,
          runs[c][0],
          runs[c][1],
          runs[c][2]);
    }
  }

  private static double measure(
      QuantizationSpec quantization, List<TrainingExample> data, boolean checkpointing)
      throws IOException {
    Path out = Files.createTempDirectory("throughput");
    TrainingArguments args =
        TrainingArguments.builder()
            .maxSteps(STEPS)
            .perDeviceTrainBatchSize(BATCH)
            .learningRate(1e-4)
            .loggingSteps(STEPS)
            .saveSteps(10 * STEPS)
            .gradientCheckpointing(checkpointing)
            .build();
    long[] marks = new long[2];
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        QloraModel model =
            TrainFixtures.llama(manager, quantization, TrainFixtures.ALL_LINEAR, 1)) {
      QloraTrainer.builder(model, args)
          .outputDir(out)
          .logSink(line -> {})
          .listener(
              new TrainingListener() {
                @Override
                public void onStepEnd(int step, int totalSteps) {
                  if (step == WARMUP) {
                    marks[0] = System.nanoTime();
                  } else if (step == STEPS) {
                    marks[1] = System.nanoTime();
                  }
                }
              })
          .build()
          .train(data, List.of(), Optional.empty());
    } finally {
      LocalTree.delete(out);
    }
    double seconds = (marks[1] - marks[0]) / 1e9;
    return (double) (STEPS - WARMUP) * BATCH * SEQ / seconds;
  }
}
