package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.cli.testdouble.TestDoubleProvider;
import dev.tune.cli.testdouble.TestDoubleProvider.World;
import dev.tune.core.JobRef;
import dev.tune.core.job.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tune train} and {@code tune jobs} against the in-memory {@link TestDoubleProvider}: what
 * is submitted, what is shown while following, what Ctrl-C leaves behind, exit codes.
 */
class TrainAndJobsCommandsTest {
  static final String CONFIG =
      """
      model:
        base: hf://org/base@main
      data:
        train: s3://bucket/train.jsonl
      output:
        name: bot
      provider:
        name: test-double
      """;

  @TempDir Path tmp;
  private String config;
  private final World world = TestDoubleProvider.world();

  @BeforeEach
  void setUp() throws IOException {
    world.reset();
    Path file = tmp.resolve("tune.yaml");
    Files.writeString(file, CONFIG);
    config = file.toString();
  }

  @Test
  void trainFollowsTheJobWithOneLinePerLoggingStepAndPrintsTheModel() {
    world.logLines(
        "loading base model",
        "{\"type\":\"metrics\",\"step\":10,\"loss\":2.5,\"learning_rate\":0.0002,\"epoch\":0.5}",
        "{\"type\":\"metrics\",\"step\":20,\"loss\":1.75,\"learning_rate\":0.0001,\"epoch\":1}");

    CliRun run = CliRun.run("train", "-c", config);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(world.submitted())
        .singleElement()
        .satisfies(s -> assertThat(s.output().name()).isEqualTo("bot"));
    assertThat(run.err())
        .contains("Submitted training job bot-1 on test-double.")
        .contains("preflight: ")
        .contains("job bot-1: PENDING")
        .contains("job bot-1: RUNNING")
        .contains("job bot-1: SUCCEEDED")
        .contains("step 10  loss 2.5000  learning_rate 2.000e-04  epoch 0.5000")
        .contains("step 20  loss 1.7500  learning_rate 1.000e-04  epoch 1")
        .doesNotContain("loading base model");
    assertThat(run.out())
        .contains("Job bot-1 succeeded.")
        .contains("Model: s3://bucket/jobs/bot-1/output/model")
        .contains("tune run --provider test-double --job bot-1");
  }

  @Test
  void verboseTrainAlsoShowsTheOtherLogLines() {
    world.logLines("loading base model");

    CliRun run = CliRun.run("train", "-c", config, "--verbose");

    assertThat(run.err()).contains("  | loading base model");
  }

  @Test
  void trainAsJsonPrintsOnlyTheFinishedJob() {
    CliRun run = CliRun.run("train", "-c", config, "-o", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("id").asText()).isEqualTo("bot-1");
    assertThat(json.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(json.get("output").asText()).isEqualTo("s3://bucket/jobs/bot-1/output/model");
  }

  @Test
  void detachReturnsAfterSubmittingWithTheCommandToFollow() {
    CliRun run = CliRun.run("train", "-c", config, "--detach");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Job bot-1 is PENDING.")
        .contains("tune jobs logs -f --provider test-double bot-1");
    assertThat(
            CliRun.run("jobs", "describe", "bot-1", "-c", config, "-o", "json")
                .json()
                .get("state")
                .asText())
        .as("the job went on without the CLI")
        .isEqualTo("RUNNING");
  }

  @Test
  void aFailedJobExitsWithTheRemoteFailureCodeAndNamesTheLogCommand() {
    world.scriptJob(JobState.RUNNING, JobState.FAILED);

    CliRun run = CliRun.run("train", "-c", config);

    assertThat(run.exitCode()).isEqualTo(6);
    assertThat(run.err())
        .contains("error: Training job test-double:bot-1 failed: CUDA out of memory")
        .contains("tune jobs logs bot-1")
        .doesNotContain("at dev.tune");
  }

  @Test
  void interruptingTheFollowDetachesAndLeavesTheJobRunning() throws Exception {
    world.scriptJob(JobState.RUNNING).followBlocks();

    CliRun run = CliRun.runAndInterrupt(world.following(), "train", "-c", config);

    assertThat(run.exitCode()).isEqualTo(ErrorReporter.INTERRUPTED);
    assertThat(run.err())
        .contains("Detached from job bot-1; it keeps running.")
        .contains("reattach: tune jobs logs -f --provider test-double bot-1");
    assertThat(world.cancelled()).isEmpty();
  }

  @Test
  void withCancelOnInterruptTheInterruptCancelsTheJob() throws Exception {
    world.scriptJob(JobState.RUNNING).followBlocks();

    CliRun run =
        CliRun.runAndInterrupt(world.following(), "train", "-c", config, "--cancel-on-interrupt");

    assertThat(run.exitCode()).isEqualTo(ErrorReporter.INTERRUPTED);
    assertThat(run.err()).contains("Cancelled job bot-1.");
    assertThat(world.cancelled()).containsExactly(new JobRef("test-double", "bot-1"));
  }

  @Test
  void resumeRestartsTheNamedJob() {
    world.addJob("bot-7", JobState.CANCELLED);

    CliRun run = CliRun.run("train", "-c", config, "--resume", "bot-7");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(world.resumed()).containsExactly(new JobRef("test-double", "bot-7"));
    assertThat(world.submitted()).isEmpty();
    assertThat(run.err()).contains("Resumed training job bot-7");
  }

  @Test
  void contractNeedsTheLocalProvider() {
    CliRun run = CliRun.run("train", "-c", config, "--contract", "sagemaker");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--contract").contains("Add --provider local");
    assertThat(world.submitted()).isEmpty();
  }

  @Test
  void jobsListDescribeLogsAndCancel() {
    world.addJob("old", JobState.SUCCEEDED);
    world.addJob("new", JobState.RUNNING);
    world.logLines("line one", "line two");

    CliRun list = CliRun.run("jobs", "list", "-c", config);
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out().lines().skip(1).map(l -> l.split(" +")[0])).containsExactly("new", "old");

    JsonNode listed = CliRun.run("jobs", "list", "-c", config, "-o", "json").json();
    assertThat(listed.get("jobs")).hasSize(2);

    CliRun describe = CliRun.run("jobs", "describe", "old", "-c", config);
    assertThat(describe.out())
        .contains("state:    SUCCEEDED")
        .contains("output:   s3://bucket/jobs/old/output/model");

    CliRun logs = CliRun.run("jobs", "logs", "new", "-c", config);
    assertThat(logs.out()).isEqualTo("line one\nline two\n");
    JsonNode logsJson = CliRun.run("jobs", "logs", "new", "-c", config, "-o", "json").json();
    assertThat(logsJson.get("lines").get(1).get("text").asText()).isEqualTo("line two");

    CliRun cancel = CliRun.run("jobs", "cancel", "new", "-c", config);
    assertThat(cancel.out()).contains("Asked job new to stop; it is CANCELLED.");
    assertThat(world.cancelled()).containsExactly(new JobRef("test-double", "new"));
  }

  @Test
  void anUnknownJobExitsWithNotFound() {
    CliRun run = CliRun.run("jobs", "describe", "nope", "-c", config, "-o", "json");

    assertThat(run.exitCode()).isEqualTo(4);
    assertThat(run.json().get("error").get("kind").asText()).isEqualTo("not_found");
  }
}
