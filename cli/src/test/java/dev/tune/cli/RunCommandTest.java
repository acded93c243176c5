package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.cli.testdouble.TestDoubleProvider;
import dev.tune.cli.testdouble.TestDoubleProvider.World;
import dev.tune.core.error.QuotaException;
import dev.tune.core.job.JobState;
import dev.tune.core.model.ModelMetrics;
import dev.tune.core.model.SampleGeneration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tune run} against the in-memory {@link TestDoubleProvider}. */
class RunCommandTest {
  @TempDir Path tmp;
  private String config;
  private final World world = TestDoubleProvider.world();

  @BeforeEach
  void setUp() throws IOException {
    world
        .reset()
        .logLines("{\"type\":\"metrics\",\"step\":5,\"loss\":3.25}")
        .modelMetrics(
            new ModelMetrics(
                Map.of("train_loss", 1.5),
                List.of(new SampleGeneration("Who are you?", "I am I am I am", "A helper."))));
    Path file = tmp.resolve("tune.yaml");
    Files.writeString(file, TrainAndJobsCommandsTest.CONFIG);
    config = file.toString();
  }

  @Test
  void runShowsTheTunedAnswerBesideTheBaseAnswerAndHowToQueryAndDelete() {
    CliRun run = CliRun.run("run", "-c", config);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("==> train")
        .contains("step 5  loss 3.2500")
        .contains("==> register")
        .contains("==> deploy")
        .contains("endpoint bot: IN_SERVICE")
        .contains("==> predict");
    assertThat(run.out())
        .contains("Run finished on test-double.")
        .contains("job:      bot-1")
        .contains("model:    bot:1 (id bot-v1)")
        .contains("endpoint: bot IN_SERVICE")
        .contains("prompt: Who are you?")
        .contains("base:   I am I am I am")
        .contains("tuned:  echo(64): Who are you?")
        .contains("query:  tune predict --provider test-double --endpoint bot \"your prompt\"")
        .contains("delete: tune endpoints delete --provider test-double bot --yes");
    assertThat(world.endpoints()).as("the endpoint stays up").hasSize(1);
  }

  @Test
  void runAsJsonIsOneDocument() {
    CliRun run = CliRun.run("run", "-c", config, "-o", "json", "--prompt", "Hi");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("succeeded").asBoolean()).isTrue();
    assertThat(json.at("/model/name").asText()).isEqualTo("bot");
    assertThat(json.at("/smoke/prompt").asText()).isEqualTo("Hi");
    assertThat(json.at("/smoke/tuned").asText()).isEqualTo("echo(64): Hi");
    assertThat(json.at("/smoke/base").isMissingNode()).as("no sample for this prompt").isTrue();
    assertThat(json.at("/commands/delete").asText())
        .isEqualTo("tune endpoints delete --provider test-double bot --yes");
  }

  @Test
  void aFailedDeployKeepsTheModelAndSaysHowToDeployIt() {
    world.failDeploy(new QuotaException("No capacity for the endpoint.", "Ask for more quota."));

    CliRun run = CliRun.run("run", "-c", config);

    assertThat(run.exitCode()).isEqualTo(5);
    assertThat(run.out()).contains("Run stopped on test-double.").contains("model:    bot:1");
    assertThat(run.err())
        .contains("error: deploy failed: No capacity for the endpoint.")
        .contains("continue with:\n  tune deploy --provider test-double --model bot:1");
    assertThat(world.models()).as("nothing lost").hasSize(1);

    world.failDeploy(null);
    CliRun next = CliRun.run("deploy", "--model", "bot:1", "-c", config);
    assertThat(next.exitCode()).as(next.err()).isZero();
  }

  @Test
  void aFailedDeployAsJsonCarriesTheResultAndTheError() {
    world.failDeploy(new QuotaException("No capacity.", "Ask for more quota."));

    CliRun run = CliRun.run("run", "-c", config, "-o", "json");

    assertThat(run.exitCode()).isEqualTo(5);
    JsonNode json = run.json();
    assertThat(json.get("succeeded").asBoolean()).isFalse();
    assertThat(json.at("/model/id").asText()).isEqualTo("bot-v1");
    assertThat(json.at("/error/step").asText()).isEqualTo("deploy");
    assertThat(json.at("/error/kind").asText()).isEqualTo("quota");
    assertThat(json.at("/error/continue_with/0").asText())
        .isEqualTo("tune deploy --provider test-double --model bot:1");
  }

  @Test
  void aFailedTrainingJobSaysHowToResume() {
    world.scriptJob(JobState.RUNNING, JobState.FAILED);

    CliRun run = CliRun.run("run", "-c", config);

    assertThat(run.exitCode()).isEqualTo(6);
    assertThat(run.err()).contains("tune train --provider test-double --resume bot-1");
    assertThat(world.models()).isEmpty();
  }

  @Test
  void interruptingARunWhileItTrainsSaysHowToContinueFromTheJob() throws InterruptedException {
    world.scriptJob(JobState.RUNNING).followBlocks();

    CliRun run = CliRun.runAndInterrupt(world.following(), "run", "-c", config);

    assertThat(run.exitCode()).isEqualTo(ErrorReporter.INTERRUPTED);
    assertThat(run.err())
        .contains("Stopped; what was started keeps going at test-double.")
        .contains("continue: tune run --provider test-double --job bot-1")
        .contains("follow:   tune jobs logs -f --provider test-double bot-1");
    assertThat(world.cancelled()).isEmpty();
  }

  @Test
  void runFromARegisteredModelSkipsTraining() {
    world.addModel("bot");

    CliRun run = CliRun.run("run", "-c", config, "--model", "bot");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(world.submitted()).isEmpty();
    assertThat(run.err()).doesNotContain("==> train");
    assertThat(run.out()).contains("tuned:  echo(64): Who are you?");
  }

  @Test
  void runFromAFinishedJobRegistersWhatItTrained() {
    world.addJob("bot-9", JobState.SUCCEEDED);

    CliRun run = CliRun.run("run", "-c", config, "--job", "bot-9", "-o", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(world.submitted()).isEmpty();
    assertThat(run.json().at("/model/artifact").asText())
        .isEqualTo("s3://bucket/jobs/bot-9/output/model");
  }
}
