package dev.tune.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.JobRef;
import dev.tune.core.ModelRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.error.ConflictException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.JobState;
import dev.tune.core.job.LogLine;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.provider.LocalSettings;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.Secret;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.local.jobs.TrainEntrypointDriver;
import dev.tune.local.process.EntryPoints;
import dev.tune.local.registry.ModelRecord;
import dev.tune.local.store.JsonFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process management of local training jobs, with {@link TrainEntrypointDriver} as the training
 * process: it keeps the entrypoint's file contract but runs in a second.
 */
class LocalTrainingJobsTest {
  @TempDir Path workDir;

  @AfterEach
  void killLeftovers() throws Exception {
    LeftoverProcesses.kill(workDir);
  }

  @Test
  void aJobRunsDetachedWritesItsOutputAndIsSeenByAFreshClient() throws Exception {
    JobRef job;
    List<LogLine> followed = new CopyOnWriteArrayList<>();
    try (LocalClient client = client()) {
      job =
          client.submitTraining(
              spec("ok-model", 4, Optional.of("hf_test_token")), MachineSpec.providerDefault());
      client.streamLogs(job, true, followed::add); // returns when the job ends
    }
    assertThat(followed)
        .extracting(LogLine::text)
        .contains(
            "driver: starting ok-model",
            "driver: a line on stderr",
            "driver: step 4 loss 0.5",
            "driver: done");

    try (LocalClient fresh = client()) {
      JobDescription done = fresh.describeJob(job);
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.message().orElseThrow()).contains("step 4", "loss 0.5");
      assertThat(done.endedAt()).isPresent();
      Path dir = fresh.jobDirectory(job);
      assertThat(done.output()).contains(new FileUri(dir.resolve("output/model")));
      assertThat(fresh.listJobs()).extracting(JobDescription::ref).containsExactly(job);
      // The token reaches the process through its environment, never through the job's files.
      assertThat(dir.resolve("env.txt"))
          .content()
          .contains("HF_TOKEN=hf_test_token", "OPT_OUT_TRACKING=true");
      assertThat(dir.resolve("spec.json"))
          .content()
          .doesNotContain("hf_test_token")
          .contains("ok-model");

      ModelRef model =
          fresh.registerModel(new RegisterSpec("ok-model", done.output().orElseThrow()));
      ModelRecord record = fresh.modelRecord(model);
      assertThat(record.jobId()).contains(job.id());
      assertThat(record.metrics().orElseThrow().path("samples").get(0).path("after").asText())
          .isEqualTo("a");
    }
  }

  @Test
  void aJobOutlivesTheCliThatSubmittedIt() throws Exception {
    Process cli =
        new ProcessBuilder(
                LocalClient.childJvm()
                    .command(
                        SubmitDriverMain.class.getName(),
                        List.of(
                            workDir.toString(),
                            LocalEndpointLifecycleTest.TINY_LLAMA.toString(),
                            "8")))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String id = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(cli.waitFor()).isZero();

    try (LocalClient client = client()) {
      JobRef job = new JobRef("local", id);
      assertThat(client.describeJob(job).state()).isIn(JobState.PENDING, JobState.RUNNING);
      JobDescription done = await(client, job, d -> d.state().isTerminal());
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.message().orElseThrow()).contains("step 8");
    }
  }

  @Test
  void aFailedJobReportsTheReasonItsProcessWrote() throws Exception {
    try (LocalClient client = client()) {
      JobRef job =
          client.submitTraining(
              spec("fail-model", 4, Optional.empty()), MachineSpec.providerDefault());
      JobDescription failed = await(client, job, d -> d.state().isTerminal());
      assertThat(failed.state()).isEqualTo(JobState.FAILED);
      assertThat(failed.message()).contains("bad data: row 3 has no text");
    }
  }

  @Test
  void aCancelledJobStopsItsProcess() throws Exception {
    try (LocalClient client = client()) {
      JobRef job =
          client.submitTraining(
              spec("slow-model", 10_000, Optional.empty()), MachineSpec.providerDefault());
      await(client, job, d -> d.state() == JobState.RUNNING);
      long pid = pid(client, job);

      client.cancelJob(job);

      assertThat(client.describeJob(job).state()).isEqualTo(JobState.CANCELLED);
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }
  }

  @Test
  void aKilledJobIsFailedAndResumesFromItsNewestCheckpoint() throws Exception {
    try (LocalClient client = client()) {
      JobRef job =
          client.submitTraining(
              spec("resumable", 12, Optional.empty()), MachineSpec.providerDefault());
      Path dir = client.jobDirectory(job);
      await(client, job, d -> Files.isDirectory(dir.resolve("checkpoints/checkpoint-4")));
      ProcessHandle process = ProcessHandle.of(pid(client, job)).orElseThrow();
      process.destroyForcibly(); // kill -9: the process writes nothing more
      process.onExit().get();

      JobDescription killed = client.describeJob(job);
      assertThat(killed.state()).isEqualTo(JobState.FAILED);
      assertThat(killed.message().orElseThrow())
          .contains("tune train --resume " + job.id(), "driver: step 4");

      client.resumeTraining(job);
      JobDescription resumed = await(client, job, d -> d.state().isTerminal());

      assertThat(resumed.state()).isEqualTo(JobState.SUCCEEDED);
      int resumedFrom =
          JsonFiles.read(dir.resolve("output/metrics.json"))
              .orElseThrow()
              .path("resumed_from")
              .asInt();
      assertThat(resumedFrom).isGreaterThanOrEqualTo(4);
      assertThat(dir.resolve("train.log"))
          .content()
          .contains("driver: resumed from checkpoint-" + resumedFrom);
      assertThat(JsonFiles.read(dir.resolve("job.json")).orElseThrow().path("attempt").asInt())
          .isEqualTo(2);
      assertThatThrownBy(() -> client.resumeTraining(job)).isInstanceOf(ConflictException.class);
    }
  }

  @Test
  void anUnknownJobIsNotFound() {
    try (LocalClient client = client()) {
      assertThatThrownBy(() -> client.describeJob(new JobRef("local", "nope")))
          .isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> client.describeJob(new JobRef("local", "../jobs")))
          .isInstanceOf(NotFoundException.class);
    }
  }

  private LocalClient client() {
    return LocalClient.open(
        new LocalSettings(workDir),
        LocalClient.childJvm(),
        EntryPoints.container().withTrainMain(TrainEntrypointDriver.class.getName()),
        Optional.empty());
  }

  private TrainSpec spec(String name, int maxSteps, Optional<String> token) {
    return TrainSpec.builder()
        .model(
            new BaseModel(
                new FileUri(LocalEndpointLifecycleTest.TINY_LLAMA), token.map(Secret::new)))
        .data(DataSpec.of(ArtifactUri.parse(workDir.resolve("train.jsonl").toString())))
        .training(TrainingArguments.builder().maxSteps(maxSteps).build())
        .output(OutputSpec.named(name))
        .build();
  }

  private static long pid(LocalClient client, JobRef job) throws Exception {
    return JsonFiles.read(client.jobDirectory(job).resolve("job.json"))
        .orElseThrow()
        .path("pid")
        .asLong();
  }

  private static JobDescription await(
      LocalClient client, JobRef job, Predicate<JobDescription> until) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    while (true) {
      JobDescription d = client.describeJob(job);
      if (until.test(d)) {
        return d;
      }
      assertThat(Instant.now()).as("waiting for %s, last %s", job, d).isBefore(deadline);
      Thread.sleep(100);
    }
  }
}
