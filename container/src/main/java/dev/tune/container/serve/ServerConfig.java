package dev.tune.container.serve;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.error.BadInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the server listens, which routes it answers, which model it serves and what it allows.
 *
 * @param contract the platform contract the routes and model location come from
 * @param host the address to bind; loopback unless told otherwise, so a local endpoint is not
 *     reachable from the network by accident. A container image sets {@code
 *     TUNE_SERVE_HOST=0.0.0.0} because the platform connects from outside the container
 * @param port the port to bind; 0 picks a free one
 * @param healthRoute answers {@code GET}: 200 once the model is loaded, 503 before
 * @param predictRoute answers {@code POST} with predictions
 * @param modelDir a Hugging Face model directory (config.json, safetensors, tokenizer files)
 * @param apiKey when set, every route but health needs {@code Authorization: Bearer KEY} or {@code
 *     X-Api-Key: KEY}
 * @param shutdownGrace how long a stop waits for requests in flight
 */
public record ServerConfig(
    Contract contract,
    String host,
    int port,
    String healthRoute,
    String predictRoute,
    Path modelDir,
    Optional<String> apiKey,
    ServerLimits limits,
    BatchingOptions batching,
    Duration shutdownGrace) {

  /** The address the server binds by default. */
  public static final String LOOPBACK = "127.0.0.1";

  public static final String TUNE_SERVE_HOST = "TUNE_SERVE_HOST";
  public static final String TUNE_API_KEY = "TUNE_API_KEY";

  /** SageMaker's model directory; tests and local runs point elsewhere with this variable. */
  public static final String SM_MODEL_DIR = "SM_MODEL_DIR";

  /** Set by SageMaker for containers of a multi-container endpoint or an inference pipeline. */
  public static final String SAGEMAKER_BIND_TO_PORT = "SAGEMAKER_BIND_TO_PORT";

  public static final String AIP_HTTP_PORT = "AIP_HTTP_PORT";
  public static final String AIP_HEALTH_ROUTE = "AIP_HEALTH_ROUTE";
  public static final String AIP_PREDICT_ROUTE = "AIP_PREDICT_ROUTE";
  public static final String AIP_STORAGE_URI = "AIP_STORAGE_URI";

  static final int DEFAULT_PORT = 8080;
  static final Path SAGEMAKER_MODEL_DIR = Path.of("/opt/ml/model");

  public ServerConfig {
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(batching, "batching");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    requireRoute("health route", healthRoute);
    requireRoute("predict route", predictRoute);
    if (healthRoute.equals(predictRoute)) {
      throw new IllegalArgumentException(
          "the health and predict routes must differ, both are " + healthRoute);
    }
    apiKey = apiKey.filter(k -> !k.isBlank());
  }

  /**
   * The configuration a platform's environment describes.
   *
   * <p>SageMaker: port 8080 ({@code SAGEMAKER_BIND_TO_PORT} when set), {@code GET /ping}, {@code
   * POST /invocations}, the model in {@code /opt/ml/model} ({@code SM_MODEL_DIR} when set).
   *
   * <p>Vertex: {@code AIP_HTTP_PORT} (8080 when unset), {@code AIP_HEALTH_ROUTE} and {@code
   * AIP_PREDICT_ROUTE} ({@code /health} and {@code /predict} when unset), the model from {@code
   * AIP_STORAGE_URI}, which must be a local path or {@code file://} URI for now.
   *
   * <p>Both: {@code TUNE_SERVE_HOST} (loopback when unset) and {@code TUNE_API_KEY}.
   *
   * @throws BadInputException if a variable has a value the server cannot use
   */
  public static ServerConfig fromEnvironment(Map<String, String> env, Contract contract) {
    String host = nonBlank(env, TUNE_SERVE_HOST).orElse(LOOPBACK);
    Optional<String> apiKey = nonBlank(env, TUNE_API_KEY);
    return switch (contract) {
      case SAGEMAKER ->
          new ServerConfig(
              contract,
              host,
              port(env, SAGEMAKER_BIND_TO_PORT),
              "/ping",
              "/invocations",
              nonBlank(env, SM_MODEL_DIR).map(Path::of).orElse(SAGEMAKER_MODEL_DIR),
              apiKey,
              ServerLimits.defaults(),
              BatchingOptions.defaults(),
              Duration.ofSeconds(30));
      case VERTEX ->
          new ServerConfig(
              contract,
              host,
              port(env, AIP_HTTP_PORT),
              route(env, AIP_HEALTH_ROUTE, "/health"),
              route(env, AIP_PREDICT_ROUTE, "/predict"),
              vertexModelDir(env),
              apiKey,
              ServerLimits.defaults(),
              BatchingOptions.defaults(),
              Duration.ofSeconds(30));
    };
  }

  public ServerConfig withHost(String value) {
    return new ServerConfig(
        contract,
        value,
        port,
        healthRoute,
        predictRoute,
        modelDir,
        apiKey,
        limits,
        batching,
        shutdownGrace);
  }

  public ServerConfig withPort(int value) {
    return new ServerConfig(
        contract,
        host,
        value,
        healthRoute,
        predictRoute,
        modelDir,
        apiKey,
        limits,
        batching,
        shutdownGrace);
  }

  public ServerConfig withModelDir(Path value) {
    return new ServerConfig(
        contract,
        host,
        port,
        healthRoute,
        predictRoute,
        value,
        apiKey,
        limits,
        batching,
        shutdownGrace);
  }

  public ServerConfig withApiKey(Optional<String> value) {
    return new ServerConfig(
        contract,
        host,
        port,
        healthRoute,
        predictRoute,
        modelDir,
        value,
        limits,
        batching,
        shutdownGrace);
  }

  public ServerConfig withLimits(ServerLimits value) {
    return new ServerConfig(
        contract,
        host,
        port,
        healthRoute,
        predictRoute,
        modelDir,
        apiKey,
        value,
        batching,
        shutdownGrace);
  }

  public ServerConfig withBatching(BatchingOptions value) {
    return new ServerConfig(
        contract,
        host,
        port,
        healthRoute,
        predictRoute,
        modelDir,
        apiKey,
        limits,
        value,
        shutdownGrace);
  }

  public ServerConfig withShutdownGrace(Duration value) {
    return new ServerConfig(
        contract, host, port, healthRoute, predictRoute, modelDir, apiKey, limits, batching, value);
  }

  private static Path vertexModelDir(Map<String, String> env) {
    String text =
        nonBlank(env, AIP_STORAGE_URI)
            .orElseThrow(
                () ->
                    new BadInputException(
                        AIP_STORAGE_URI + " is not set, so the server does not know the model.",
                        "Vertex sets it from the model's artifact URI: register the model with"
                            + " one, or set "
                            + AIP_STORAGE_URI
                            + " to the local model directory."));
    ArtifactUri uri = ArtifactUri.parse(text);
    if (uri instanceof FileUri file) {
      return file.path();
    }
    throw new BadInputException(
        AIP_STORAGE_URI
            + " is "
            + uri
            + ", but the server reads local model directories only: fetching "
            + uri.scheme()
            + ":// artifacts needs the storage provider, which this server does not have yet.",
        "Copy the model into the container and set "
            + AIP_STORAGE_URI
            + " to its local path (or a file:// URI).");
  }

  private static int port(Map<String, String> env, String variable) {
    Optional<String> text = nonBlank(env, variable);
    if (text.isEmpty()) {
      return DEFAULT_PORT;
    }
    try {
      int port = Integer.parseInt(text.get().strip());
      if (port >= 1 && port <= 65_535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadInputException(
        variable + " is '" + text.get() + "', which is not a port number.",
        "Set " + variable + " to a port between 1 and 65535.");
  }

  private static String route(Map<String, String> env, String variable, String fallback) {
    String route = nonBlank(env, variable).map(String::strip).orElse(fallback);
    if (!route.startsWith("/")) {
      throw new BadInputException(
          variable + " is '" + route + "', which is not a URL path.",
          "Set " + variable + " to a path that starts with '/'.");
    }
    return route;
  }

  private static Optional<String> nonBlank(Map<String, String> env, String variable) {
    return Optional.ofNullable(env.get(variable)).filter(v -> !v.isBlank());
  }

  private static void requireRoute(String what, String route) {
    Objects.requireNonNull(route, what);
    if (!route.startsWith("/")) {
      throw new IllegalArgumentException(what + " must start with '/', got " + route);
    }
  }
}
