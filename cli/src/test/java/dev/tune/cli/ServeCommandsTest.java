package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.cli.testdouble.TestDoubleProvider;
import dev.tune.cli.testdouble.TestDoubleProvider.World;
import dev.tune.core.EndpointRef;
import dev.tune.core.endpoint.EndpointState;
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

/**
 * {@code tune models}, {@code tune deploy}, {@code tune endpoints} and {@code tune predict} against
 * the in-memory {@link TestDoubleProvider}.
 */
class ServeCommandsTest {
  @TempDir Path tmp;
  private String config;
  private final World world = TestDoubleProvider.world();

  @BeforeEach
  void setUp() throws IOException {
    world.reset();
    Path file = tmp.resolve("tune.yaml");
    Files.writeString(file, TrainAndJobsCommandsTest.CONFIG);
    config = file.toString();
  }

  @Test
  void modelsListAndDescribeShowVersionsMetricsAndSamples() {
    world.modelMetrics(
        new ModelMetrics(
            Map.of("eval_loss", 1.25),
            List.of(new SampleGeneration("Who are you?", "a model", "a bot -- tune"))));
    world.addModel("bot");
    world.addModel("bot");

    CliRun list = CliRun.run("models", "list", "-c", config);
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out().lines().skip(1).map(l -> l.split(" +")[0]))
        .containsExactly("bot:2", "bot:1");

    CliRun describe = CliRun.run("models", "describe", "bot:1", "-c", config);
    assertThat(describe.out())
        .contains("model:    bot:1")
        .contains("id:       bot-v1")
        .contains("eval_loss: 1.2500")
        .contains("sample:   Who are you?")
        .contains("  base:   a model")
        .contains("  tuned:  a bot -- tune");

    JsonNode json = CliRun.run("models", "describe", "bot", "-c", config, "-o", "json").json();
    assertThat(json.get("version").asText()).as("a bare name is the newest").isEqualTo("2");
    assertThat(json.at("/metrics/samples/0/after").asText()).isEqualTo("a bot -- tune");
  }

  @Test
  void deletingAModelNeedsYes() {
    world.addModel("bot");

    CliRun refused = CliRun.run("models", "delete", "bot", "-c", config);
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("Add --yes");
    assertThat(world.models()).hasSize(1);

    CliRun deleted = CliRun.run("models", "delete", "bot", "--yes", "-c", config);
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(deleted.out()).contains("Deleted model bot:1.");
    assertThat(world.models()).isEmpty();
  }

  @Test
  void anUnknownModelNamesTheRegisteredOnes() {
    world.addModel("bot");

    CliRun run = CliRun.run("models", "describe", "bot:3", "-c", config);

    assertThat(run.exitCode()).isEqualTo(4);
    assertThat(run.err()).contains("No registered model matches 'bot:3'. Registered: bot:1.");
  }

  @Test
  void deployWaitsUntilTheEndpointServesAndPrintsHowToQueryAndDeleteIt() {
    world.addModel("bot");
    world.addModel("bot");

    CliRun run = CliRun.run("deploy", "--model", "bot:1", "-c", config);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("Creating endpoint bot for model bot:1.")
        .contains("endpoint bot: CREATING")
        .contains("endpoint bot: IN_SERVICE");
    assertThat(run.out())
        .contains("state:    IN_SERVICE")
        .contains("model:    bot-v1")
        .contains("tune predict --provider test-double --endpoint bot \"your prompt\"")
        .contains("tune endpoints delete --provider test-double bot --yes");
  }

  @Test
  void deployWithoutModelTakesTheNewestOfTheConfigsOutputName() {
    world.addModel("bot");
    world.addModel("bot");

    JsonNode json =
        CliRun.run("deploy", "-c", config, "--endpoint-name", "bot-staging", "-o", "json").json();

    assertThat(json.at("/endpoint/id").asText()).isEqualTo("bot-staging");
    assertThat(json.at("/endpoint/model").asText()).isEqualTo("bot-v2");
    assertThat(json.at("/model/version").asText()).isEqualTo("2");
  }

  @Test
  void deployContractNeedsTheLocalProvider() {
    world.addModel("bot");

    CliRun run = CliRun.run("deploy", "-c", config, "--contract", "vertex");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--contract").contains("Add --provider local");
    assertThat(world.endpoints()).isEmpty();
  }

  @Test
  void anEndpointThatFailsToStartExitsWithRemoteFailure() {
    world.addModel("bot");
    world.scriptEndpoint(EndpointState.CREATING, EndpointState.FAILED);

    CliRun run = CliRun.run("deploy", "-c", config);

    assertThat(run.exitCode()).isEqualTo(6);
    assertThat(run.err()).contains("failed to start: the model does not fit the machine");
  }

  @Test
  void endpointsListDescribeAndDelete() {
    world.addModel("bot");
    assertThat(CliRun.run("deploy", "-c", config, "--detach").exitCode()).isZero();

    CliRun list = CliRun.run("endpoints", "list", "-c", config);
    assertThat(list.out()).contains("bot").contains("bot-v1");
    JsonNode describe =
        CliRun.run("endpoints", "describe", "bot", "-c", config, "-o", "json").json();
    assertThat(describe.get("model").asText()).isEqualTo("bot-v1");

    assertThat(CliRun.run("endpoints", "delete", "bot", "-c", config).exitCode()).isEqualTo(2);
    CliRun delete = CliRun.run("endpoints", "delete", "bot", "-c", config, "--yes");
    assertThat(delete.out()).contains("Deleted endpoint bot.");
    assertThat(world.endpoints()).isEmpty();
    assertThat(CliRun.run("endpoints", "describe", "bot", "-c", config).exitCode()).isEqualTo(4);
  }

  private void serving() {
    world.addModel("bot");
    assertThat(CliRun.run("deploy", "-c", config).exitCode()).isZero();
    assertThat(world.endpoints()).containsExactly(new EndpointRef("test-double", "bot"));
  }

  @Test
  void predictPrintsTheAnswerAlone() {
    serving();

    CliRun run =
        CliRun.run(
            "predict", "--endpoint", "bot", "Hello there", "--max-tokens", "7", "-c", config);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("echo(7): Hello there\n");
  }

  @Test
  void predictStreamsTheTextAsItComes() {
    serving();

    CliRun run =
        CliRun.run("predict", "--endpoint", "bot", "--stream", "Hello there", "-c", config);

    assertThat(run.out()).isEqualTo("echo(128): Hello there\n");
  }

  @Test
  void predictReadsAPromptFileWhoseLinesMayOverrideTheOptions() throws IOException {
    serving();
    Path prompts = tmp.resolve("prompts.jsonl");
    Files.writeString(prompts, "\"first\"\n\n{\"prompt\": \"second\", \"max_tokens\": 3}\n");

    JsonNode json =
        CliRun.run(
                "predict",
                "--endpoint",
                "bot",
                "--file",
                prompts.toString(),
                "--max-tokens",
                "9",
                "-c",
                config,
                "-o",
                "json")
            .json();

    assertThat(json.get("predictions")).hasSize(2);
    assertThat(json.at("/predictions/0/text").asText()).isEqualTo("echo(9): first");
    assertThat(json.at("/predictions/1/text").asText()).isEqualTo("echo(3): second");
  }

  @Test
  void aBadPromptFileLineIsNamedByFileAndLine() throws IOException {
    serving();
    Path prompts = tmp.resolve("prompts.jsonl");
    Files.writeString(prompts, "\"ok\"\n{\"text\": \"no prompt key\"}\n");

    CliRun run =
        CliRun.run("predict", "--endpoint", "bot", "--file", prompts.toString(), "-c", config);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(prompts + ":2 has no \"prompt\" string.");
  }

  @Test
  void predictNeedsExactlyOneOfPromptAndFile() {
    serving();

    assertThat(CliRun.run("predict", "--endpoint", "bot", "-c", config).err())
        .contains("No prompt");
    assertThat(
            CliRun.run("predict", "--endpoint", "bot", "x", "--file", "p.jsonl", "-c", config)
                .exitCode())
        .isEqualTo(2);
  }

  @Test
  void withoutAConfigFileTheProviderOptionAloneIsEnough() {
    world.addModel("bot");
    assertThat(Path.of("tune.yaml")).as("no tune.yaml where the tests run").doesNotExist();

    CliRun run = CliRun.run("models", "list", "--provider", "test-double", "-o", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("models")).hasSize(1);
  }
}
