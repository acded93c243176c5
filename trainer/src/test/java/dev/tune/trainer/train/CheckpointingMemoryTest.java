package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradient checkpointing lowers the peak memory of a step. Each mode runs in a fresh JVM ({@link
 * CheckpointingMemoryProbe}), so the peak of one cannot hide in memory the other left allocated.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "reads the peak from /proc/self/status")
class CheckpointingMemoryTest {

  private static final Pattern RESULT = Pattern.compile("probe baseline_kb=(\\d+) peak_kb=(\\d+)");

  @TempDir Path dir;

  @Test
  void checkpointingLowersThePeakOfAStep() throws Exception {
    // six layers whose attention scores ([2, 8, 512, 512] float32, 16 MB a copy) dominate
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainFixtures.randomLlama(dir.resolve("model"), 128, 6, 8, 256, 512, manager);
    }
    long plain = stepPeakKb(false);
    long checkpointed = stepPeakKb(true);
    System.out.printf(
        "peak rise of one step: %d MB recorded, %d MB with gradient checkpointing%n",
        plain / 1024, checkpointed / 1024);
    assertThat(plain).isGreaterThan(100 * 1024);
    assertThat(checkpointed).isLessThan(plain / 2);
  }

  private long stepPeakKb(boolean checkpointing) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Dai.djl.offline=true",
                    "-Dai.djl.pytorch.num_threads=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    CheckpointingMemoryProbe.class.getName(),
                    dir.resolve("model").toString(),
                    Boolean.toString(checkpointing),
                    "2",
                    "512"))
            .redirectErrorStream(true)
            .start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(text).isZero();
    Matcher m = RESULT.matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return Long.parseLong(m.group(2)) - Long.parseLong(m.group(1));
  }
}
