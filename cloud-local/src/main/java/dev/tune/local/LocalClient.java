package dev.tune.local;

import dev.tune.container.contract.ChildJvm;
import dev.tune.core.EndpointRef;
import dev.tune.core.JobRef;
import dev.tune.core.ModelRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.ConflictException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.LogLine;
import dev.tune.core.model.ModelDescription;
import dev.tune.core.model.ModelMetrics;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.provider.LocalSettings;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.provider.ProviderClient;
import dev.tune.core.storage.file.FileStorageBackend;
import dev.tune.core.train.TrainSpec;
import dev.tune.local.endpoints.EndpointStatus;
import dev.tune.local.endpoints.LocalEndpoints;
import dev.tune.local.jobs.LocalJobs;
import dev.tune.local.process.EntryPoints;
import dev.tune.local.registry.LocalRegistry;
import dev.tune.local.registry.ModelRecord;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code local} provider's client. Everything lives under {@link LocalSettings#workDir()}:
 * {@code jobs/}, {@code registry/} and {@code endpoints/}. The client holds no state of its own, so
 * several CLIs may work on the same directory, and jobs and endpoints go on after it is closed.
 *
 * <p>With {@link LocalSettings#contract()} SageMaker or Vertex, new jobs and endpoints run the
 * container's entrypoints in directories laid out as that provider's container (see {@code
 * dev.tune.local.contract}); they are listed, followed, cancelled and resumed as any other.
 *
 * <p>The training machine and an endpoint's machine and replica counts do not apply here: a local
 * job or endpoint is one process on this machine.
 */
public final class LocalClient implements ProviderClient {
  /** The environment variable whose value, when set at deploy time, protects the endpoint. */
  public static final String API_KEY_VARIABLE = "TUNE_API_KEY";

  private final LocalSettings settings;
  private final LocalJobs jobs;
  private final LocalRegistry registry;
  private final LocalEndpoints endpoints;
  private final HttpClient http;
  private final Optional<String> apiKey;

  private LocalClient(
      LocalSettings settings, ChildJvm java, EntryPoints entryPoints, Optional<String> apiKey) {
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.jobs =
        new LocalJobs(
            settings.workDir().resolve("jobs"), java, entryPoints.trainMain(), settings.contract());
    this.registry = new LocalRegistry(settings.workDir().resolve("registry"));
    this.endpoints =
        new LocalEndpoints(
            settings.workDir().resolve("endpoints"),
            java,
            entryPoints.serveMain(),
            http,
            settings.contract());
    this.apiKey = apiKey.filter(k -> !k.isBlank());
  }

  /**
   * A client on {@code settings} that runs this JVM's java and class path with the container's
   * entrypoint; endpoints it creates require the API key in {@code TUNE_API_KEY}, if set.
   */
  public static LocalClient open(LocalSettings settings) {
    return open(
        settings,
        childJvm(),
        EntryPoints.container(),
        Optional.ofNullable(System.getenv(API_KEY_VARIABLE)));
  }

  /**
   * How the local provider starts its jobs and endpoints: this JVM's java and class path, with the
   * same 4 MiB thread stack that the contract runs give their children.
   */
  public static ChildJvm childJvm() {
    return ChildJvm.current().withJvmOptions(List.of("-Xss4m"));
  }

  /**
   * A client that starts {@code entryPoints} with {@code java}; endpoints require {@code apiKey}.
   */
  public static LocalClient open(
      LocalSettings settings, ChildJvm java, EntryPoints entryPoints, Optional<String> apiKey) {
    return new LocalClient(settings, java, entryPoints, apiKey);
  }

  /** Where this client keeps its jobs, models and endpoints. */
  public Path workDir() {
    return settings.workDir();
  }

  @Override
  public JobRef submitTraining(TrainSpec spec, MachineSpec machine) {
    return jobRef(jobs.submit(spec).id());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Starts the job's process again in the job's directory; the entrypoint continues from the
   * newest checkpoint it saved.
   */
  @Override
  public void resumeTraining(JobRef job) {
    jobs.resume(job.id());
  }

  @Override
  public List<JobDescription> listJobs() {
    return jobs.list();
  }

  @Override
  public JobDescription describeJob(JobRef job) {
    return jobs.describe(job.id());
  }

  /** A job's directory: its spec, log, events, checkpoints and output. */
  public Path jobDirectory(JobRef job) {
    return jobs.directory(job.id());
  }

  @Override
  public void streamLogs(JobRef job, boolean follow, Consumer<LogLine> sink)
      throws InterruptedException {
    jobs.logs(job.id(), follow, sink);
  }

  @Override
  public void cancelJob(JobRef job) {
    try {
      jobs.cancel(job.id());
    } catch (InterruptedException e) {
      throw interrupted("cancelling job " + job.id(), e);
    }
  }

  @Override
  public ArtifactUri upload(Path source, ArtifactUri destination) {
    if (!(destination instanceof FileUri)) {
      throw new BadInputException(
          "The local provider stores files on this machine; cannot upload to " + destination + ".",
          "Give a local path or file:// URI as the destination.");
    }
    return new FileStorageBackend().upload(source, destination, ProgressListener.none());
  }

  @Override
  public ModelRef registerModel(RegisterSpec spec) {
    if (!(spec.artifact() instanceof FileUri file)) {
      throw new BadInputException(
          "The local registry takes model directories on this machine, not "
              + spec.artifact()
              + ".",
          "Download the model first (or train it with --provider local) and register its"
              + " directory.");
    }
    return modelRef(registry.register(spec.name(), file.path()));
  }

  @Override
  public List<ModelDescription> listModels() {
    return registry.list().stream().map(this::description).toList();
  }

  @Override
  public ModelDescription describeModel(ModelRef model) {
    return description(registry.describe(model.id()));
  }

  /**
   * Everything the local registry keeps about a model version: lineage (job, base model, data) and
   * the job's {@code metrics.json}, with its {@code samples}.
   */
  public ModelRecord modelRecord(ModelRef model) {
    return registry.describe(model.id());
  }

  /**
   * {@inheritDoc}
   *
   * @throws ConflictException if a running endpoint serves the model
   */
  @Override
  public void deleteModel(ModelRef model) {
    ModelRecord record = registry.describe(model.id());
    for (EndpointStatus endpoint : endpointStatuses()) {
      if (endpoint.record().modelId().equals(record.id())
          && endpoint.state() != EndpointState.FAILED) {
        throw new ConflictException(
            "Model " + record.id() + " is served by endpoint " + endpoint.record().name() + ".",
            "Delete the endpoint first: tune endpoints delete "
                + endpoint.record().name()
                + " --provider local");
      }
    }
    registry.delete(record.id());
  }

  @Override
  public EndpointRef createEndpoint(DeploySpec spec) {
    ModelRecord model = registry.describe(spec.model().id());
    return endpointRef(
        endpoints.create(spec.endpointName(), model.id(), registry.modelDir(model), apiKey).name());
  }

  @Override
  public List<EndpointDescription> listEndpoints() {
    return endpointStatuses().stream().map(this::description).toList();
  }

  @Override
  public EndpointDescription describeEndpoint(EndpointRef endpoint) {
    try {
      return description(endpoints.describe(endpoint.id()));
    } catch (InterruptedException e) {
      throw interrupted("describing endpoint " + endpoint.id(), e);
    }
  }

  @Override
  public void deleteEndpoint(EndpointRef endpoint) {
    try {
      endpoints.delete(endpoint.id());
    } catch (InterruptedException e) {
      throw interrupted("deleting endpoint " + endpoint.id(), e);
    }
  }

  @Override
  public List<Prediction> predict(EndpointRef endpoint, List<Prompt> prompts) {
    try {
      return endpoints.predict(endpoint.id(), prompts);
    } catch (InterruptedException e) {
      throw interrupted("waiting for endpoint " + endpoint.id(), e);
    }
  }

  @Override
  public Duration pollInterval() {
    return Duration.ofSeconds(1);
  }

  @Override
  public void close() {
    http.close();
  }

  private List<EndpointStatus> endpointStatuses() {
    try {
      return endpoints.list();
    } catch (InterruptedException e) {
      throw interrupted("listing the endpoints", e);
    }
  }

  private ModelDescription description(ModelRecord record) {
    ModelDescription description =
        new ModelDescription(
                modelRef(record),
                record.name(),
                new FileUri(registry.modelDir(record)),
                record.createdAt())
            .withVersion(String.valueOf(record.version()));
    return record
        .metrics()
        .map(ModelMetrics::fromJson)
        .map(description::withMetrics)
        .orElse(description);
  }

  private EndpointDescription description(EndpointStatus status) {
    EndpointDescription.Builder b =
        EndpointDescription.builder()
            .ref(endpointRef(status.record().name()))
            .name(status.record().name())
            .state(status.state())
            .model(new ModelRef(LocalProvider.NAME, status.record().modelId()))
            .url(status.record().predictUri())
            .createdAt(status.record().createdAt());
    status.message().ifPresent(b::message);
    return b.build();
  }

  private static JobRef jobRef(String id) {
    return new JobRef(LocalProvider.NAME, id);
  }

  private static ModelRef modelRef(ModelRecord record) {
    return new ModelRef(LocalProvider.NAME, record.id());
  }

  private static EndpointRef endpointRef(String name) {
    return new EndpointRef(LocalProvider.NAME, name);
  }

  private static RemoteFailureException interrupted(String doing, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new RemoteFailureException(
        "Stopped " + doing + ": the thread was interrupted.", "Run the command again.", e);
  }
}
