package dev.tune.container.train;

import dev.tune.core.error.BadInputException;
import dev.tune.core.error.TuneException;
import dev.tune.core.storage.Storage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The container's {@code train} entrypoint.
 *
 * <pre>
 * train [--contract local|sagemaker|vertex] [--job-dir DIR] [--resume]
 *       [--spec URI] [--spec-json JSON]
 * </pre>
 *
 * {@code local} needs {@code --job-dir} ({@link LocalLayout}); {@code sagemaker} reads {@code
 * /opt/ml} and {@code SM_*} ({@link SageMakerLayout}); {@code vertex} reads {@code AIP_*} and the
 * spec from {@code --spec}/{@code --spec-json} ({@link VertexLayout}). Without {@code --contract}
 * the environment decides (SageMaker starts the image as {@code IMAGE train}). A run always resumes
 * from the newest checkpoint it finds; {@code --resume} is accepted for clarity.
 */
public final class TrainMain {
  static final String USAGE =
      "usage: train [--contract local|sagemaker|vertex] [--job-dir DIR] [--resume]"
          + " [--spec URI] [--spec-json JSON]";

  private static final Set<String> VALUED =
      Set.of("--contract", "--job-dir", "--spec", "--spec-json");

  private TrainMain() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    System.exit(code);
  }

  /**
   * Runs the entrypoint.
   *
   * @return 0 on success; 2 for bad arguments or input; the failure kind's exit code otherwise
   */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    TrainLayout layout;
    try {
      layout = layout(options(args), env);
    } catch (TuneException e) {
      err.println("train: " + e.getMessage() + " " + e.fix());
      err.println(USAGE);
      return e.exitCode();
    }
    return new TrainJob(layout, Storage.discover(), env, out, err).run();
  }

  static TrainLayout layout(Map<String, String> options, Map<String, String> env) {
    TrainContract contract =
        Optional.ofNullable(options.get("--contract"))
            .map(TrainContract::parse)
            .or(() -> TrainContract.detect(env))
            .orElseThrow(
                () ->
                    new BadInputException(
                        "No --contract was given and the environment is neither SageMaker's nor"
                            + " Vertex's.",
                        "Pass --contract local --job-dir DIR, or --contract sagemaker|vertex."));
    return switch (contract) {
      case LOCAL ->
          new LocalLayout(
              Path.of(
                  Optional.ofNullable(options.get("--job-dir"))
                      .orElseThrow(
                          () ->
                              new BadInputException(
                                  "--contract local needs --job-dir.",
                                  "Pass --job-dir DIR, the directory that holds spec.json."))));
      case SAGEMAKER -> SageMakerLayout.fromEnvironment(env);
      case VERTEX ->
          VertexLayout.fromEnvironment(
              env,
              Optional.ofNullable(options.get("--spec")),
              Optional.ofNullable(options.get("--spec-json")));
    };
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    int i = 0;
    if (args.length > 0 && args[0].equals("train")) {
      i++; // SageMaker starts the image as "IMAGE train".
    }
    for (; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--resume")) {
        continue;
      }
      int eq = name.indexOf('=');
      String value = eq > 0 ? name.substring(eq + 1) : null;
      name = eq > 0 ? name.substring(0, eq) : name;
      if (!VALUED.contains(name)) {
        throw new BadInputException("Unknown option " + name + ".", USAGE);
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new BadInputException(name + " needs a value.", USAGE);
        }
        value = args[++i];
      }
      options.put(name, value);
    }
    return options;
  }
}
