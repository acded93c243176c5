package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing a step allocates outlives it: the number of live NDArrays (every array DJL holds, under
 * any manager) is the same after every step, over 200 steps with logging, evaluation and
 * checkpoints in between.
 */
@ExtendWith(SingleThreadedTorch.class)
class NativeMemoryTest {

  private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

  @TempDir Path dir;
  private NDManager manager;
  private NDManager system;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
    system = manager.getParentManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private TrainingArguments arguments(int steps, boolean checkpointing) {
    return TrainingArguments.builder()
        .maxSteps(steps)
        .perDeviceTrainBatchSize(2)
        .perDeviceEvalBatchSize(2)
        .learningRate(1e-3)
        .loggingSteps(10)
        .evalSteps(50)
        .saveSteps(100)
        .gradientCheckpointing(checkpointing)
        .build();
  }

  @ParameterizedTest(name = "gradient checkpointing {0}")
  @ValueSource(booleans = {false, true})
  void liveArraysStayFlatOver200Steps(boolean checkpointing) {
    int steps = 200;
    int[] live = new int[steps + 1];
    long[] rssKb = new long[steps + 1];
    LoraSpec lora = new LoraSpec(8, 16, 0.05, List.of(LoraSpec.ALL_LINEAR));
    try (QloraModel model = TrainFixtures.llama(manager, QuantizationSpec.qlora(), lora, 1)) {
      QloraTrainer.builder(model, arguments(steps, checkpointing))
          .outputDir(dir)
          .saveTotalLimit(1)
          .logSink(l -> {})
          .listener(
              new TrainingListener() {
                @Override
                public void onStepEnd(int step, int totalSteps) {
                  live[step] = system.getManagedArrays().size();
                  if (step % 50 == 0) {
                    System.gc();
                    rssKb[step] = rssKb();
                  }
                }
              })
          .build()
          .train(
              TrainFixtures.randomTexts(40, 3), TrainFixtures.randomTexts(4, 4), Optional.empty());
    }
    System.out.printf(
        "checkpointing %s: live arrays after step 1: %d, 2: %d, 200: %d; RSS at steps 50, 100,"
            + " 150, 200: %d, %d, %d, %d MB%n",
        checkpointing,
        live[1],
        live[2],
        live[200],
        rssKb[50] / 1024,
        rssKb[100] / 1024,
        rssKb[150] / 1024,
        rssKb[200] / 1024);
    for (int step = 2; step <= steps; step++) {
      assertThat(live[step]).as("live arrays after step %d", step).isEqualTo(live[2]);
    }
    // A coarse second check on what the count cannot see (native tensors without a DJL handle): a
    // step's activations are about 1 MB here, so keeping them would add about 150 MB from step 50
    // to 200; the resident size (Java heap included, after a GC) wanders by some 30 MB.
    assertThat(rssKb[200] - rssKb[50]).isLessThan(64 * 1024);
  }

  @Test
  void theCountSeesAnArrayLeakedPerStep() {
    int[] live = new int[11];
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 1)) {
      QloraTrainer.builder(model, arguments(10, false))
          .outputDir(dir)
          .logSink(l -> {})
          .listener(
              new TrainingListener() {
                @Override
                public void onStepEnd(int step, int totalSteps) {
                  model.model().manager().create(1f); // the leak
                  live[step] = system.getManagedArrays().size();
                }
              })
          .build()
          .train(TrainFixtures.randomTexts(40, 3), List.of(), Optional.empty());
    }
    assertThat(live[10] - live[2]).isEqualTo(8);
  }

  private static long rssKb() {
    try {
      Matcher m = RSS.matcher(Files.readString(Path.of("/proc/self/status")));
      return m.find() ? Long.parseLong(m.group(1)) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
