package dev.tune.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.train.ComputePrecision;
import dev.tune.trainer.train.QloraModel;
import dev.tune.trainer.train.QloraModelPreparer;
import dev.tune.trainer.train.QloraTrainer;
import dev.tune.trainer.train.TrainingExample;
import dev.tune.trainer.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * Tokens per second of one QLoRA training step (forward, loss, backward, AdamW on the LoRA weights)
 * on the synthetic Llama, NF4 base against a dense fp32 base, batch 1 of 256 tokens, LoRA r=16
 * alpha=32 on every linear layer but the head: the same step as the PyTorch peer.
 */
final class TrainStepBench {
  static final int SEQ = 256;
  private static final LoraSpec LORA = new LoraSpec(16, 32, 0.0, List.of(LoraSpec.ALL_LINEAR));

  private TrainStepBench() {}

  static void run(Path model, int vocab, int steps, int warmup) throws IOException {
    List<TrainingExample> data = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < steps + warmup; i++) {
      long[] ids = new long[SEQ];
      for (int t = 0; t < SEQ; t++) {
        ids[t] = 2L + random.nextInt(vocab - 2);
      }
      data.add(TrainingExample.ofText(ids));
    }
    List<QuantizationSpec> configurations =
        List.of(QuantizationSpec.none(), QuantizationSpec.qlora());
    double[][] tokensPerSecond = new double[2][3];
    // Alternate the two bases so neither profits from running later in the JVM's life.
    for (int round = 0; round < 3; round++) {
      for (int c = 0; c < 2; c++) {
        tokensPerSecond[c][round] = measure(model, configurations.get(c), data, steps, warmup);
      }
    }
    for (int c = 0; c < 2; c++) {
      double[] sorted = tokensPerSecond[c].clone();
      Arrays.sort(sorted);
      System.out.printf(
          Locale.ROOT,
          "train step (%s base, LoRA r=16 all-linear, adamw_torch, 1 x %d tokens): %.1f tokens/s"
              + " median of 3 (%.2f s per step; runs %.1f, %.1f, %.1f)%n",
          configurations.get(c).loadIn4bit() ? "NF4 double-quant" : "dense fp32",
          SEQ,
          sorted[1],
          SEQ / sorted[1],
          tokensPerSecond[c][0],
          tokensPerSecond[c][1],
          tokensPerSecond[c][2]);
    }
  }

  private static double measure(
      Path model, QuantizationSpec quantization, List<TrainingExample> data, int steps, int warmup)
      throws IOException {
    Path out = Files.createTempDirectory("tune-bench-train-");
    int total = steps + warmup;
    TrainingArguments args =
        TrainingArguments.builder()
            .maxSteps(total)
            .perDeviceTrainBatchSize(1)
            .learningRate(2e-4)
            .loggingSteps(total)
            .saveSteps(100 * total)
            .build();
    long[] marks = new long[2];
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        QloraModel prepared =
            new QloraModelPreparer(quantization, LORA, ComputePrecision.float32(), 1)
                .prepare(model, "synthetic-llama", manager)) {
      QloraTrainer.builder(prepared, args)
          .outputDir(out)
          .logSink(line -> {})
          .listener(
              new TrainingListener() {
                @Override
                public void onStepEnd(int step, int totalSteps) {
                  if (step == warmup) {
                    marks[0] = System.nanoTime();
                  } else if (step == total) {
                    marks[1] = System.nanoTime();
                  }
                }
              })
          .build()
          .train(data, List.of(), Optional.empty());
    } finally {
      TrainerBench.deleteRecursively(out);
    }
    return (double) steps * SEQ / ((marks[1] - marks[0]) / 1e9);
  }
}
