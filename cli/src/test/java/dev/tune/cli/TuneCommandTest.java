package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.core.error.AuthException;
import dev.tune.core.error.ConflictException;
import dev.tune.core.error.InvalidSpecException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.QuotaException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.SpecViolation;
import dev.tune.core.error.TuneTimeoutException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class TuneCommandTest {
  private static final PrintWriter NOWHERE = new PrintWriter(Writer.nullWriter());

  @TempDir Path dir;

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  // --- init and config validate ---

  @ParameterizedTest
  @ValueSource(strings = {"local", "sagemaker", "vertex"})
  void initWritesAFileThatPassesValidation(String provider) throws IOException {
    String config = file("tune.yaml");

    CliRun init = CliRun.run("init", "--provider", provider, "--config", config);
    CliRun validate = CliRun.run("config", "validate", "--config", config);

    assertThat(init.exitCode()).isZero();
    assertThat(init.out()).contains("Wrote " + config + " for provider " + provider);
    assertThat(Files.readString(Path.of(config))).contains("name: " + provider).contains("# ");
    assertThat(validate.exitCode()).as(validate.err()).isZero();
    assertThat(validate.out()).isEqualTo(config + " is valid (provider: " + provider + ").\n");
    assertThat(validate.err()).isEmpty();
  }

  @Test
  void initDefaultsToTheLocalProvider() {
    CliRun init = CliRun.run("init", "-c", file("tune.yaml"), "-o", "json");

    assertThat(init.json().get("provider").asText()).isEqualTo("local");
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheSubcommand() {
    CliRun after =
        CliRun.run("init", "--provider", "vertex", "--config", file("a.yaml"), "--output", "json");
    CliRun before =
        CliRun.run("--provider", "vertex", "--config", file("b.yaml"), "--output", "json", "init");
    CliRun nested =
        CliRun.run(
            "-c", file("a.yaml"), "config", "-o", "json", "validate", "--provider", "vertex");

    assertThat(after.json().get("provider").asText()).isEqualTo("vertex");
    assertThat(before.json().get("provider").asText()).isEqualTo("vertex");
    assertThat(Path.of(file("b.yaml"))).exists();
    assertThat(nested.exitCode()).isZero();
    assertThat(nested.json().get("provider").asText()).isEqualTo("vertex");
  }

  @Test
  void initRefusesToOverwriteWithoutForce() throws IOException {
    Path config = dir.resolve("tune.yaml");
    Files.writeString(config, "mine\n");

    CliRun refused = CliRun.run("init", "-c", config.toString());
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err()).contains("already exists").contains("--force");
    assertThat(Files.readString(config)).isEqualTo("mine\n");

    CliRun forced = CliRun.run("init", "-c", config.toString(), "--force", "-o", "json");
    assertThat(forced.exitCode()).isZero();
    assertThat(forced.json().get("overwritten").asBoolean()).isTrue();
    assertThat(Files.readString(config)).startsWith("# tune.yaml");
  }

  @Test
  void initWithoutATemplateForTheProviderIsBadInput() {
    CliRun run = CliRun.run("init", "--provider", "azure", "-c", file("tune.yaml"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("no template for provider 'azure'")
        .contains("local, sagemaker, vertex");
    assertThat(dir.resolve("tune.yaml")).doesNotExist();
  }

  @Test
  void validateReportsEveryProblemOnStderrInTextMode() throws IOException {
    Path config = dir.resolve("tune.yaml");
    Files.writeString(config, "model:\n  base: hf://org/model\nlora:\n  r: eight\n  alpah: 4\n");

    CliRun run = CliRun.run("config", "validate", "-c", config.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .contains("has 4 problems")
        .contains(config + ":4:6: lora.r: \"eight\" is not an integer")
        .contains(config + ":5:3: lora.alpah: is not a known key; did you mean 'alpha'?")
        .contains("data.train: is required but missing")
        .contains("fix: ")
        .doesNotContain("\tat ");
  }

  @Test
  void validateReportsProblemsAsAJsonDocumentInJsonMode() throws IOException {
    Path config = dir.resolve("tune.yaml");
    Files.writeString(config, "model:\n  base: s3://BAD/x\n  token: ${HF_TOKEN}\n");

    CliRun run =
        CliRun.run(
            Map.of("HF_TOKEN", "hf_secret"),
            "config",
            "validate",
            "-c",
            config.toString(),
            "-o",
            "json");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEmpty();
    JsonNode error = run.json().get("error");
    assertThat(error.get("kind").asText()).isEqualTo("bad_input");
    assertThat(error.get("exit_code").asInt()).isEqualTo(2);
    assertThat(error.get("fix").asText()).contains("tune init");
    List<String> paths = new ArrayList<>();
    error.get("problems").forEach(p -> paths.add(p.get("path").asText()));
    // Ordered by position; the missing keys are reported at the top of the file.
    assertThat(paths).containsExactly("data.train", "output.name", "model.base");
    JsonNode first = error.get("problems").get(2);
    assertThat(first.get("line").asInt()).isEqualTo(2);
    assertThat(first.get("column").asInt()).isEqualTo(9);
    assertThat(first.get("value").asText()).isEqualTo("s3://BAD/x");
    assertThat(run.out()).doesNotContain("hf_secret");
  }

  @Test
  void validJsonShowsTheEffectiveConfigWithSecretsMasked() {
    String config = file("tune.yaml");
    CliRun.run("init", "--provider", "vertex", "-c", config);
    try {
      Files.writeString(
          Path.of(config),
          Files.readString(Path.of(config)).replace("# token: ${HF_TOKEN}", "token: ${HF_TOKEN}"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }

    CliRun run =
        CliRun.run(
            Map.of("HF_TOKEN", "hf_secret"), "config", "validate", "-c", config, "-o", "json");

    JsonNode json = run.json();
    assertThat(run.exitCode()).isZero();
    assertThat(json.get("valid").asBoolean()).isTrue();
    assertThat(json.at("/config/model/token").asText()).isEqualTo("****");
    assertThat(json.at("/config/training/adam_beta2").asDouble()).isEqualTo(0.999);
    assertThat(json.at("/config/provider/vertex/train_machine/accelerator_type").asText())
        .isEqualTo("NVIDIA_L4");
    assertThat(run.out()).doesNotContain("hf_secret");
  }

  @Test
  void providerOverrideChecksWhatThatProviderNeeds() {
    String config = file("tune.yaml");
    CliRun.run("init", "-c", config);

    CliRun run = CliRun.run("config", "validate", "-c", config, "--provider", "sagemaker");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("provider.sagemaker.role_arn: is required but missing");
  }

  @Test
  void missingConfigFileIsBadInput() {
    CliRun run = CliRun.run("config", "validate", "-c", file("absent.yaml"), "-o", "json");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.json().at("/error/message").asText()).endsWith("absent.yaml does not exist.");
  }

  // --- version, completion, help ---

  @Test
  void versionInEveryForm() {
    CliRun command = CliRun.run("version");
    CliRun option = CliRun.run("--version");
    CliRun json = CliRun.run("version", "-o", "json");

    assertThat(command.exitCode()).isZero();
    assertThat(command.out()).matches("(?s)tune \\d+\\.\\d+\\.\\d+\\S*\nJava .*");
    assertThat(option.out()).isEqualTo(command.out());
    assertThat(json.json().get("version").asText())
        .isEqualTo(VersionProvider.version())
        .doesNotContain("$");
    assertThat(CliRun.run("--version", "-o", "json").json().get("version").asText())
        .isEqualTo(VersionProvider.version());
  }

  @Test
  void completionPrintsABashScriptForTheVisibleCommands() {
    CliRun run = CliRun.run("completion");
    CliRun json = CliRun.run("completion", "--output=json");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("complete -F")
        .contains("init")
        .contains("validate")
        .contains("--provider");
    assertThat(run.err()).isEmpty();
    assertThat(json.json().get("script").asText()).isEqualTo(run.out().stripTrailing() + "\n");
  }

  static Stream<Arguments> everyCommand() {
    List<Arguments> commands = new ArrayList<>();
    collect(TuneCommand.commandLine(NOWHERE, NOWHERE, Map.of()), new ArrayList<>(), commands);
    return commands.stream();
  }

  private static void collect(CommandLine command, List<String> path, List<Arguments> into) {
    into.add(Arguments.of(List.copyOf(path)));
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (sub.getCommandName().equals(name)) {
                List<String> longer = new ArrayList<>(path);
                longer.add(name);
                collect(sub, longer, into);
              }
            });
  }

  @ParameterizedTest
  @MethodSource("everyCommand")
  void everyCommandHasHelpWithExamples(List<String> command) {
    List<String> args = new ArrayList<>(command);
    args.add("--help");

    CliRun run = CliRun.run(args.toArray(String[]::new));

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: tune").contains("Examples:").contains("--output");
  }

  @Test
  void onlyWorkingCommandsAreShown() {
    assertThat(TuneCommand.commandLine(NOWHERE, NOWHERE, Map.of()).getSubcommands().keySet())
        .containsExactly(
            "init",
            "config",
            "data",
            "train",
            "run",
            "jobs",
            "models",
            "deploy",
            "endpoints",
            "predict",
            "merge",
            "eval",
            "generate",
            "plan",
            "package",
            "version",
            "completion");
  }

  @Test
  void helpInJsonModeIsStillOneJsonDocument() {
    CliRun run = CliRun.run("init", "--help", "-o", "json");

    assertThat(run.exitCode()).isZero();
    assertThat(run.json().get("usage").asText()).contains("Usage: tune init");
  }

  // --- usage errors ---

  @Test
  void usageErrorsExitWith2() {
    CliRun none = CliRun.run();
    CliRun unknown = CliRun.run("undeploy");
    CliRun badFormat = CliRun.run("version", "--output", "yaml");

    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("Missing required subcommand");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unmatched argument").contains("tune --help");
    assertThat(badFormat.exitCode()).isEqualTo(2);
    assertThat(badFormat.err()).contains("expected one of [TEXT, JSON]");
    assertThat(none.out() + unknown.out() + badFormat.out()).isEmpty();
  }

  @Test
  void usageErrorsInJsonModeAreAJsonDocument() {
    CliRun run = CliRun.run("-o", "json", "config", "validate", "--no-such-option");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.json().at("/error/kind").asText()).isEqualTo("usage");
    assertThat(run.json().at("/error/fix").asText()).contains("tune config validate --help");
    assertThat(run.err()).isEmpty();
  }

  // --- every error kind's exit code, through a test command that throws it ---

  @Command(name = "fail")
  static final class FailingCommand implements Callable<Integer> {
    private final Exception failure;

    FailingCommand(Exception failure) {
      this.failure = failure;
    }

    @Override
    public Integer call() throws Exception {
      throw failure;
    }
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(new AuthException("No credentials.", "Log in."), 3, "auth"),
        Arguments.of(new NotFoundException("No job x.", "List jobs."), 4, "not_found"),
        Arguments.of(
            new QuotaException("No L4 GPUs in us-central1.", "Try another region."), 5, "quota"),
        Arguments.of(
            new ConflictException("Endpoint exists.", "Pick another name."), 2, "conflict"),
        Arguments.of(
            new RemoteFailureException("Job failed.", "Read the log."), 6, "remote_failure"),
        Arguments.of(new TuneTimeoutException("Still running.", "Wait longer."), 7, "timeout"),
        Arguments.of(
            new InvalidSpecException("prompt", List.of(new SpecViolation("top_p", "0", "(0, 1]"))),
            2,
            "bad_input"),
        Arguments.of(new InterruptedException(), 130, "interrupted"),
        Arguments.of(new IllegalStateException("bug"), 1, "internal"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void eachFailureKindHasItsExitCode(Exception failure, int exitCode, String kind) {
    CliRun text =
        CliRun.run(Map.of(), cli -> cli.addSubcommand(new FailingCommand(failure)), "fail");
    CliRun json =
        CliRun.run(
            Map.of(), cli -> cli.addSubcommand(new FailingCommand(failure)), "-o", "json", "fail");

    assertThat(text.exitCode()).as(text.err()).isEqualTo(exitCode);
    assertThat(text.out()).isEmpty();
    assertThat(text.err()).startsWith("error: ").doesNotContain("\tat ");
    assertThat(json.exitCode()).isEqualTo(exitCode);
    assertThat(json.json().at("/error/kind").asText()).isEqualTo(kind);
    assertThat(json.json().at("/error/exit_code").asInt()).isEqualTo(exitCode);
    assertThat(json.err()).isEmpty();
    Thread.interrupted();
  }

  @Test
  void stackTracesOnlyWithVerbose() {
    Exception failure = new RemoteFailureException("Job failed.", "Read the log.");

    CliRun quiet =
        CliRun.run(Map.of(), cli -> cli.addSubcommand(new FailingCommand(failure)), "fail");
    CliRun verbose =
        CliRun.run(
            Map.of(), cli -> cli.addSubcommand(new FailingCommand(failure)), "--verbose", "fail");
    CliRun verboseJson =
        CliRun.run(
            Map.of(),
            cli -> cli.addSubcommand(new FailingCommand(failure)),
            "-v",
            "-o",
            "json",
            "fail");

    assertThat(quiet.err()).isEqualTo("error: Job failed.\nfix: Read the log.\n");
    assertThat(verbose.err()).contains("RemoteFailureException: Job failed.").contains("\tat ");
    assertThat(verboseJson.err()).contains("\tat ");
    assertThat(verboseJson.json().at("/error/message").asText()).isEqualTo("Job failed.");
  }

  @Test
  void asksForJsonReadsEverySpelling() {
    assertThat(TuneCommand.asksForJson(List.of("--output", "json"))).isTrue();
    assertThat(TuneCommand.asksForJson(List.of("--output=JSON"))).isTrue();
    assertThat(TuneCommand.asksForJson(List.of("-o", "json"))).isTrue();
    assertThat(TuneCommand.asksForJson(List.of("-ojson"))).isTrue();
    assertThat(TuneCommand.asksForJson(List.of("-o=json"))).isTrue();
    assertThat(TuneCommand.asksForJson(List.of("-o", "text", "json"))).isFalse();
  }
}
