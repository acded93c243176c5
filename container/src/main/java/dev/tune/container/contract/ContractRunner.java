package dev.tune.container.contract;

import dev.tune.container.serve.Contract;
import dev.tune.container.serve.ServerConfig;
import dev.tune.container.train.ModelFetch;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs the container's entrypoints on this machine under a cloud provider's contract, without a
 * container engine, as the SageMaker Python SDK's local mode does: a directory is laid out as the
 * provider lays out the container, the inputs are staged into it from any URI the {@link Storage}
 * knows, and {@code ContainerMain train} or {@code serve} runs as a child JVM whose {@code SM_*} or
 * {@code AIP_*} variables point into that directory.
 *
 * <pre>{@code
 * ContractRunner runner = ContractRunner.builder(Contract.SAGEMAKER).output(System.out::println).build();
 * ContractTrainingResult trained = runner.train(spec).await();
 * try (ContractEndpoint endpoint = runner.serve(FileUri.of(trained.modelDir()))) {
 *   endpoint.awaitReady(Duration.ofMinutes(5));
 *   // POST endpoint.predictUri()
 * }
 * }</pre>
 */
public final class ContractRunner {
  /** Vertex's routes are per endpoint and deployed model; these stand in for the ids. */
  static final String VERTEX_HEALTH_ROUTE = "/v1/endpoints/local/deployedModels/local";

  static final String VERTEX_PREDICT_ROUTE = VERTEX_HEALTH_ROUTE + ":predict";

  private final Contract contract;
  private final Storage storage;
  private final ChildJvm jvm;
  private final Path workRoot;
  private final Map<String, String> environment;
  private final Consumer<String> output;
  private final ProgressListener listener;

  private ContractRunner(Builder b) {
    this.contract = b.contract;
    this.storage = b.storage != null ? b.storage : Storage.discover();
    this.jvm = b.jvm != null ? b.jvm : ChildJvm.current();
    this.workRoot = b.workRoot != null ? b.workRoot : Path.of(System.getProperty("java.io.tmpdir"));
    this.environment = Map.copyOf(b.environment);
    this.output = b.output;
    this.listener = b.listener;
  }

  /** A runner for {@code contract}'s layout and environment. */
  public static Builder builder(Contract contract) {
    return new Builder(contract);
  }

  public Contract contract() {
    return contract;
  }

  /** Starts a training run in a new directory below the work root. */
  public ContractTraining train(TrainSpec spec) {
    return train(spec, newDir("job-"));
  }

  /**
   * Starts a training run in {@code jobDir}; a directory of an earlier run keeps its checkpoints,
   * so the run resumes from the newest, as a restarted SageMaker or Vertex job does.
   */
  public ContractTraining train(TrainSpec spec, Path jobDir) {
    Path root = jobDir.toAbsolutePath().normalize();
    String jobName = jobName(root);
    InputStager inputs = new InputStager(storage, listener);
    StagedJob job =
        switch (contract) {
          case SAGEMAKER -> SageMakerJobDir.stage(root, jobName, spec, inputs);
          case VERTEX -> VertexJobDir.stage(root, jobName, spec, inputs);
        };
    output.accept("tune: running the " + id() + " training contract locally in " + root);
    Process process = start(job.args(), job.env());
    return new ContractTraining(
        job, process, ProcessOutput.pump(process, output, "tune-train-out"));
  }

  /** Starts a server for the model at {@code model} in a new directory below the work root. */
  public ContractEndpoint serve(ArtifactUri model) {
    return serve(model, newDir("endpoint-"));
  }

  /**
   * Starts a server in {@code dir}: the model is staged to {@code dir/model} ({@code
   * /opt/ml/model}, or what {@code AIP_STORAGE_URI} names) and the server listens on a free
   * loopback port with the provider's routes.
   */
  public ContractEndpoint serve(ArtifactUri model, Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    Path modelDir = root.resolve("model");
    try {
      Files.createDirectories(modelDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + modelDir, e);
    }
    storage.fetch(model, ModelFetch.options().destination(modelDir).build(), listener);
    int port = freePort();
    Map<String, String> env = new HashMap<>();
    String health;
    String predict;
    switch (contract) {
      case SAGEMAKER -> {
        env.put(ServerConfig.SM_MODEL_DIR, modelDir.toString());
        env.put(ServerConfig.SAGEMAKER_BIND_TO_PORT, Integer.toString(port));
        health = "/ping";
        predict = "/invocations";
      }
      case VERTEX -> {
        env.put(ServerConfig.AIP_STORAGE_URI, modelDir.toString());
        env.put(ServerConfig.AIP_HTTP_PORT, Integer.toString(port));
        env.put(ServerConfig.AIP_HEALTH_ROUTE, VERTEX_HEALTH_ROUTE);
        env.put(ServerConfig.AIP_PREDICT_ROUTE, VERTEX_PREDICT_ROUTE);
        env.put("AIP_DEPLOYED_MODEL_ID", "local");
        env.put("AIP_ENDPOINT_ID", "local");
        health = VERTEX_HEALTH_ROUTE;
        predict = VERTEX_PREDICT_ROUTE;
      }
      default -> throw new IllegalStateException("unknown contract " + contract);
    }
    output.accept("tune: serving under the " + id() + " contract locally on port " + port);
    Process process = start(List.of("serve"), env);
    return new ContractEndpoint(
        root,
        process,
        ProcessOutput.pump(process, output, "tune-serve-out"),
        port,
        health,
        predict);
  }

  private Process start(List<String> args, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(environment);
    all.putAll(env);
    try {
      return jvm.processBuilder(args, all).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + jvm.java(), e);
    }
  }

  private Path newDir(String prefix) {
    try {
      Files.createDirectories(workRoot);
      return Files.createTempDirectory(workRoot, id() + "-" + prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory in " + workRoot, e);
    }
  }

  private String id() {
    return contract.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String jobName(Path root) {
    Path name = root.getFileName();
    return name == null ? "local-job" : name.toString();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port", e);
    }
  }

  /** Settings of a {@link ContractRunner}. */
  public static final class Builder {
    private final Contract contract;
    private Storage storage;
    private ChildJvm jvm;
    private Path workRoot;
    private final Map<String, String> environment = new HashMap<>();
    private Consumer<String> output = System.out::println;
    private ProgressListener listener = ProgressListener.none();

    private Builder(Contract contract) {
      this.contract = Objects.requireNonNull(contract, "contract");
    }

    /** Where inputs are staged from; the backends on the classpath by default. */
    public Builder storage(Storage value) {
      this.storage = Objects.requireNonNull(value, "storage");
      return this;
    }

    /** The child JVM; this process's java and classpath by default. */
    public Builder jvm(ChildJvm value) {
      this.jvm = Objects.requireNonNull(value, "jvm");
      return this;
    }

    /** Where new job and endpoint directories are made; the temporary directory by default. */
    public Builder workRoot(Path value) {
      this.workRoot = Objects.requireNonNull(value, "workRoot");
      return this;
    }

    /** More variables for the child, e.g. {@code HF_TOKEN} or {@code TUNE_API_KEY}. */
    public Builder environment(Map<String, String> value) {
      this.environment.putAll(value);
      return this;
    }

    /** Receives the child's output, line by line; standard output by default. */
    public Builder output(Consumer<String> value) {
      this.output = Objects.requireNonNull(value, "output");
      return this;
    }

    /** Hears the staging's transfers. */
    public Builder listener(ProgressListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    public ContractRunner build() {
      return new ContractRunner(this);
    }
  }
}
