package dev.tune.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.local.store.JsonFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** What the end-to-end tests read from a local job's directory while its child JVM runs. */
final class JobDirProbe {
  private JobDirProbe() {}

  /** The step of the newest {@code checkpoint-N} directory in {@code checkpoints}. */
  static int newestCheckpoint(Path checkpoints) throws Exception {
    try (Stream<Path> entries = Files.list(checkpoints)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("checkpoint-[0-9]+"))
          .mapToInt(n -> Integer.parseInt(n.substring("checkpoint-".length())))
          .max()
          .orElseThrow();
    }
  }

  /** The step of the first metrics the latest attempt logged, from the job's own events. */
  static long firstStepOfLatestAttempt(Path jobDir) throws Exception {
    long offset =
        JsonFiles.read(jobDir.resolve("job.json")).orElseThrow().path("events_offset").asLong();
    byte[] events = Files.readAllBytes(jobDir.resolve("events.jsonl"));
    String latest =
        new String(events, (int) offset, events.length - (int) offset, StandardCharsets.UTF_8);
    for (String line : latest.lines().toList()) {
      JsonNode event = JsonFiles.parse(line);
      if (event.path("type").asText().equals("metrics")) {
        return event.path("step").asLong();
      }
    }
    throw new AssertionError("the resumed run logged no metrics:\n" + latest);
  }

  /**
   * Waits up to {@code timeout} for {@code condition}; on timeout, fails with the log of the job or
   * endpoint in {@code dir}.
   */
  static void await(BooleanSupplier condition, String what, Path dir, Duration timeout)
      throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        Path log =
            Files.exists(dir.resolve("train.log"))
                ? dir.resolve("train.log")
                : dir.resolve("serve.err.log");
        throw new AssertionError(
            "timed out waiting for "
                + what
                + "; log:\n"
                + (Files.exists(log) ? Files.readString(log) : "(none)"));
      }
      Thread.sleep(50);
    }
  }
}
