package dev.tune.local.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.job.JobState;
import dev.tune.local.process.ProcessIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStatusTest {
  private static final String FIRST_ATTEMPT =
      """
      {"type":"state","state":"TRAINING"}
      {"type":"metrics","step":2,"loss":2.5}
      {"type":"failed","reason":"out of memory"}
      """;

  @TempDir Path dir;

  @Test
  void onlyTheLatestAttemptDecidesTheStateWhileMetricsCarryOver() throws IOException {
    Path events = dir.resolve("events.jsonl");
    Files.writeString(events, FIRST_ATTEMPT + "{\"type\":\"state\",\"state\":\"DOWNLOADING\"}\n");
    long offset = FIRST_ATTEMPT.getBytes(StandardCharsets.UTF_8).length;

    JobEvents latest = JobEvents.read(events, offset);
    JobStatus running = JobStatus.of(record(offset), latest, true, Optional.empty(), List.of());

    assertThat(latest.failure()).isEmpty();
    assertThat(latest.metrics()).containsEntry("loss", 2.5);
    assertThat(running.state()).isEqualTo(JobState.RUNNING);
    assertThat(running.message()).contains("DOWNLOADING, step 2, loss 2.500");
    assertThat(JobEvents.read(events, 0).failure()).contains("out of memory");
  }

  @Test
  void aLineCutShortByAKillIsIgnored() throws IOException {
    Path events = dir.resolve("events.jsonl");
    Files.writeString(events, "{\"type\":\"metrics\",\"step\":3,\"loss\":1.0}\n{\"type\":\"metr");

    JobEvents read = JobEvents.read(events, 0);

    assertThat(read.step()).hasValue(3);
    assertThat(read.done()).isFalse();
  }

  @Test
  void aDeadProcessIsFailedWithTheReasonItGaveOrTheEndOfItsLog() throws IOException {
    JobEvents none = JobEvents.read(dir.resolve("missing.jsonl"), 0);
    JobStatus withReason =
        JobStatus.of(record(0), none, false, Optional.of("bad data\n"), List.of());
    JobStatus withoutReason =
        JobStatus.of(record(0), none, false, Optional.empty(), List.of("Exception in thread main"));
    Files.writeString(dir.resolve("stopped.jsonl"), "{\"type\":\"stopped\"}\n");
    JobStatus stopped =
        JobStatus.of(
            record(0),
            JobEvents.read(dir.resolve("stopped.jsonl"), 0),
            false,
            Optional.empty(),
            List.of());

    assertThat(withReason.state()).isEqualTo(JobState.FAILED);
    assertThat(withReason.message()).contains("bad data");
    assertThat(withoutReason.message().orElseThrow())
        .contains("tune train --resume job-1", "Exception in thread main");
    assertThat(stopped.message().orElseThrow()).contains("SIGTERM", "tune train --resume job-1");
  }

  @Test
  void aCancelledJobIsStoppingWhileItsProcessRunsAndCancelledAfter() {
    JobEvents none =
        new JobEvents(
            Optional.of("TRAINING"),
            java.util.OptionalLong.empty(),
            java.util.Map.of(),
            false,
            Optional.empty(),
            false);
    JobRecord cancelling = record(0).cancelling();

    assertThat(JobStatus.of(cancelling, none, true, Optional.empty(), List.of()).state())
        .isEqualTo(JobState.STOPPING);
    assertThat(JobStatus.of(cancelling, none, false, Optional.empty(), List.of()).state())
        .isEqualTo(JobState.CANCELLED);
  }

  private static JobRecord record(long offset) {
    return new JobRecord(
        "job-1",
        "bot",
        Instant.parse("2026-01-01T00:00:00Z"),
        Path.of("/tmp/job-1/output/model"),
        2,
        new ProcessIdentity(1, Instant.EPOCH),
        offset,
        false);
  }
}
