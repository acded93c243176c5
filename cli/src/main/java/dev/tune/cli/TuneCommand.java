package dev.tune.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code tune} command. Global options are inherited by every subcommand, so they may be given
 * before or after it ({@code tune --provider vertex init} or {@code tune init --provider vertex}).
 */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Fine-tune an open LLM with QLoRA and serve it, on SageMaker, Vertex AI or here.",
    subcommands = {
      InitCommand.class,
      ConfigCommand.class,
      DataCommand.class,
      TrainCommand.class,
      RunCommand.class,
      JobsCommand.class,
      ModelsCommand.class,
      DeployCommand.class,
      EndpointsCommand.class,
      PredictCommand.class,
      MergeCommand.class,
      EvalCommand.class,
      GenerateCommand.class,
      PlanCommand.class,
      PackageCommand.class,
      VersionCommand.class,
      CompletionCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune init --provider vertex      write a commented tune.yaml for Vertex AI",
      "  tune config validate             check tune.yaml, every problem at once",
      "  tune config validate -o json     the same, as one JSON document on stdout",
      "  tune data inspect data.jsonl --model M    rows, format, a sample, token lengths",
      "  tune run --provider local        train, register, deploy and try it, in one go",
      "  tune train --detach              submit the training; follow it with tune jobs logs -f",
      "  tune deploy --model NAME:VERSION serve a registered model",
      "  tune predict --endpoint E 'Hi'   ask an endpoint",
      "  tune merge --base B --adapter A --out M   merge a LoRA adapter into B",
      "  tune eval --model M --data eval.jsonl     loss and perplexity on texts",
      "  tune generate --model M --prompt 'Hi'     continue a prompt",
      "  tune plan --model M --gpus 1x24GB         will a run fit, and where",
      "  tune package --to REGISTRY/REPO:TAG       build and push the training image",
      "  source <(tune completion)        tab completion in bash or zsh",
      "",
      "Exit codes: 0 ok, 2 bad input or usage, 3 auth, 4 not found,",
      "5 quota or capacity, 6 remote failure, 7 timeout, 130 interrupted."
    })
public final class TuneCommand {
  static final String DEFAULT_CONFIG = "tune.yaml";

  @Option(
      names = "--provider",
      scope = ScopeType.INHERIT,
      paramLabel = "NAME",
      description =
          "Provider to use: local, sagemaker, vertex. Default: provider.name in the config.")
  String provider;

  @Option(
      names = {"-c", "--config"},
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "The tune.yaml to use. Default: ${DEFAULT-VALUE}.",
      defaultValue = DEFAULT_CONFIG)
  Path config;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      paramLabel = "FORMAT",
      description = "Result format: text or json (one JSON document on stdout). Default: text.",
      defaultValue = "text")
  OutputFormat output;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "More detail on stderr, stack traces included.")
  boolean verbose;

  @Option(
      names = {"-y", "--yes"},
      scope = ScopeType.INHERIT,
      description = "Answer yes to confirmations (deleting, overwriting).")
  boolean yes;

  private final Map<String, String> environment;
  private PrintWriter out;
  private PrintWriter err;

  TuneCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v")) {
      // Must happen before the first logger exists: slf4j-simple reads its levels once.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "info");
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err, System.getenv()));
  }

  /** Runs {@code tune} with {@code args}; returns the exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
    return commandLine(out, err, environment).execute(args);
  }

  /** The configured command line: streams, exit codes, error reporting. */
  static CommandLine commandLine(
      PrintWriter out, PrintWriter err, Map<String, String> environment) {
    TuneCommand root = new TuneCommand(environment);
    root.out = out;
    root.err = err;
    CommandLine cli = new CommandLine(root);
    ErrorReporter errors = new ErrorReporter(root);
    cli.setOut(out)
        .setErr(err)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(errors)
        .setParameterExceptionHandler(errors)
        .setExecutionStrategy(root::execute);
    return cli;
  }

  private int execute(ParseResult parseResult) {
    if (format() == OutputFormat.JSON) {
      // Help and version text would break the one-JSON-document promise; wrap them.
      for (CommandLine command : parseResult.asCommandLineList()) {
        if (command.isUsageHelpRequested()) {
          printer().printJson(Printer.object().put("usage", command.getUsageMessage()));
          return 0;
        }
        if (command.isVersionHelpRequested()) {
          printer().printJson(VersionCommand.json());
          return 0;
        }
      }
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  OutputFormat format() {
    return output == null ? OutputFormat.TEXT : output;
  }

  Printer printer() {
    return new Printer(format(), out, err);
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  boolean verbose() {
    return verbose;
  }

  boolean yes() {
    return yes;
  }

  Path configPath() {
    return config == null ? Path.of(DEFAULT_CONFIG) : config;
  }

  /** Whether {@code --config} names a file other than the default, which must then exist. */
  boolean configNamed() {
    return config != null && !config.equals(Path.of(DEFAULT_CONFIG));
  }

  Optional<String> providerOverride() {
    return Optional.ofNullable(provider);
  }

  Map<String, String> environment() {
    return environment;
  }

  /** The root command of the command line that {@code spec} belongs to. */
  static TuneCommand of(CommandSpec spec) {
    return (TuneCommand) spec.root().userObject();
  }

  /**
   * Whether the arguments ask for JSON output; for usage errors, which happen before the options
   * are bound.
   */
  static boolean asksForJson(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String value = null;
      if ((arg.equals("--output") || arg.equals("-o")) && i + 1 < args.size()) {
        value = args.get(i + 1);
      } else if (arg.startsWith("--output=")) {
        value = arg.substring("--output=".length());
      } else if (arg.startsWith("-o") && arg.length() > 2 && !arg.startsWith("--")) {
        value = arg.substring(arg.charAt(2) == '=' ? 3 : 2);
      }
      if (value != null && value.equalsIgnoreCase("json")) {
        return true;
      }
    }
    return false;
  }
}
