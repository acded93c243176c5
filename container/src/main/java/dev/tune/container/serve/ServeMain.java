package dev.tune.container.serve;

import dev.tune.core.error.TuneException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * The container's {@code serve} entrypoint: reads the platform's environment, starts the {@link
 * PredictionServer}, and on SIGTERM stops it gracefully (no new requests, requests in flight
 * finish, then exit).
 *
 * <pre>
 * serve [--contract sagemaker|vertex] [--model-dir DIR] [--host HOST] [--port N]
 *       [--api-key KEY] [--max-batch-size N] [--max-batch-wait MS] [--request-timeout SECONDS]
 * </pre>
 *
 * Without {@code --contract}, Vertex when an {@code AIP_*} variable is set, else SageMaker. The API
 * key may also come from {@code TUNE_API_KEY}, the host from {@code TUNE_SERVE_HOST}.
 */
public final class ServeMain {

  static final String USAGE =
      "usage: serve [--contract sagemaker|vertex] [--model-dir DIR] [--host HOST] [--port N]"
          + " [--api-key KEY] [--max-batch-size N] [--max-batch-wait MS]"
          + " [--request-timeout SECONDS]";

  private static final Set<String> OPTIONS =
      Set.of(
          "--contract",
          "--model-dir",
          "--host",
          "--port",
          "--api-key",
          "--max-batch-size",
          "--max-batch-wait",
          "--request-timeout");

  private ServeMain() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Serves until the process is told to stop.
   *
   * @return 0 after a graceful stop, 1 if the model cannot be loaded, 2 for a bad argument or
   *     environment
   */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    ServerConfig config;
    try {
      config = configure(args, env);
    } catch (IllegalArgumentException e) {
      err.println("serve: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (TuneException e) {
      err.println("serve: " + e.getMessage());
      err.println(e.fix());
      return 2;
    }
    PredictionServer server = PredictionServer.start(config);
    Runtime.getRuntime()
        .addShutdownHook(Thread.ofPlatform().name("tune-serve-shutdown").unstarted(server::stop));
    out.printf(
        "tune serve (%s): listening on http://%s:%d, health GET %s, predict POST %s, model %s%n",
        config.contract().name().toLowerCase(Locale.ROOT),
        config.host(),
        server.port(),
        config.healthRoute(),
        config.predictRoute(),
        config.modelDir());
    out.flush();
    try {
      server.ready().join();
    } catch (CompletionException e) {
      err.println(
          "serve: the model in " + config.modelDir() + " cannot be served: " + e.getCause());
      server.stop();
      return 1;
    }
    out.println("tune serve: model ready");
    out.flush();
    server.awaitStopped();
    return 0;
  }

  static ServerConfig configure(String[] args, Map<String, String> env) {
    Map<String, String> options = options(args);
    Contract contract =
        Optional.ofNullable(options.get("--contract"))
            .map(ServeMain::contract)
            .orElseGet(() -> Contract.detect(env));
    Map<String, String> environment = new HashMap<>(env);
    if (options.containsKey("--model-dir")) {
      // The flag stands in for the contract's own model location.
      environment.put(
          contract == Contract.VERTEX ? ServerConfig.AIP_STORAGE_URI : ServerConfig.SM_MODEL_DIR,
          options.get("--model-dir"));
    }
    ServerConfig config = ServerConfig.fromEnvironment(environment, contract);
    if (options.containsKey("--host")) {
      config = config.withHost(options.get("--host"));
    }
    if (options.containsKey("--port")) {
      config = config.withPort(integer(options, "--port"));
    }
    if (options.containsKey("--api-key")) {
      config = config.withApiKey(Optional.of(options.get("--api-key")));
    }
    if (options.containsKey("--max-batch-size")) {
      config =
          config.withBatching(
              new BatchingOptions(
                  integer(options, "--max-batch-size"), config.batching().maxWait()));
    }
    if (options.containsKey("--max-batch-wait")) {
      config =
          config.withBatching(
              new BatchingOptions(
                  config.batching().maxBatchSize(),
                  Duration.ofMillis(integer(options, "--max-batch-wait"))));
    }
    if (options.containsKey("--request-timeout")) {
      config =
          config.withLimits(
              config
                  .limits()
                  .withRequestTimeout(Duration.ofSeconds(integer(options, "--request-timeout"))));
    }
    return config;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    int i = 0;
    if (args.length > 0 && args[0].equals("serve")) {
      i++; // SageMaker starts the image as "IMAGE serve".
    }
    for (; i < args.length; i++) {
      String name = args[i];
      String value;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(name + " needs a value");
      }
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown option " + name);
      }
      options.put(name, value);
    }
    return options;
  }

  private static Contract contract(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "sagemaker" -> Contract.SAGEMAKER;
      case "vertex" -> Contract.VERTEX;
      default ->
          throw new IllegalArgumentException(
              "--contract is '" + text + "'; use sagemaker or vertex");
    };
  }

  private static int integer(Map<String, String> options, String name) {
    try {
      return Integer.parseInt(options.get(name).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got " + options.get(name), e);
    }
  }
}
