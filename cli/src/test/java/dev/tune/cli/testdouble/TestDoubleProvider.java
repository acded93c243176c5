package dev.tune.cli.testdouble;

import dev.tune.core.EndpointRef;
import dev.tune.core.JobRef;
import dev.tune.core.ModelRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.JobState;
import dev.tune.core.job.LogLine;
import dev.tune.core.model.ModelDescription;
import dev.tune.core.model.ModelMetrics;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.provider.Provider;
import dev.tune.core.provider.ProviderClient;
import dev.tune.core.provider.ProviderSettings;
import dev.tune.core.train.TrainSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * A TEST DOUBLE of the provider SPI, for the CLI's tests until the local provider lands: an
 * in-memory provider named {@value #NAME} whose jobs and endpoints walk through states the test
 * scripts (one state per describe; the last one stays), whose registry and endpoints live in one
 * static {@link World} shared by every connection (so a second {@code tune} command sees what the
 * first made), and whose failures the test injects. It trains nothing and its "predictions" only
 * echo the prompt. Registered in the test resources' META-INF/services, so the CLI finds it as it
 * finds real providers.
 */
public final class TestDoubleProvider implements Provider {
  public static final String NAME = "test-double";

  private static final World WORLD = new World();

  /** The shared state; tests reset it before each test. */
  public static World world() {
    return WORLD;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "in-memory test double of a provider (tests only)";
  }

  @Override
  public ProviderClient connect(ProviderSettings settings) {
    WORLD.settings.add(settings);
    return new Client();
  }

  /** What the test double holds and how it behaves; every method is synchronized. */
  public static final class World {
    private List<JobState> jobScript = List.of();
    private List<EndpointState> endpointScript = List.of();
    private List<String> logLines = List.of();
    private boolean followBlocks;
    private ModelMetrics metrics;
    private RuntimeException deployFailure;
    private CountDownLatch following = new CountDownLatch(1);
    private final Map<JobRef, Deque<JobState>> jobs = new LinkedHashMap<>();
    private final Map<ModelRef, ModelDescription> models = new LinkedHashMap<>();
    private final Map<EndpointRef, Deque<EndpointState>> endpoints = new LinkedHashMap<>();
    private final Map<EndpointRef, ModelRef> endpointModels = new LinkedHashMap<>();
    final List<ProviderSettings> settings = new ArrayList<>();
    private final List<TrainSpec> submitted = new ArrayList<>();
    private final List<JobRef> cancelled = new ArrayList<>();
    private final List<JobRef> resumed = new ArrayList<>();

    private World() {
      reset();
    }

    public synchronized World reset() {
      jobScript = List.of(JobState.PENDING, JobState.RUNNING, JobState.SUCCEEDED);
      endpointScript = List.of(EndpointState.CREATING, EndpointState.IN_SERVICE);
      logLines = List.of();
      followBlocks = false;
      metrics = null;
      deployFailure = null;
      following = new CountDownLatch(1);
      jobs.clear();
      models.clear();
      endpoints.clear();
      endpointModels.clear();
      settings.clear();
      submitted.clear();
      cancelled.clear();
      resumed.clear();
      return this;
    }

    public synchronized World scriptJob(JobState... states) {
      jobScript = Arrays.asList(states);
      return this;
    }

    public synchronized World scriptEndpoint(EndpointState... states) {
      endpointScript = Arrays.asList(states);
      return this;
    }

    /** The lines every job's log holds. */
    public synchronized World logLines(String... lines) {
      logLines = List.of(lines);
      return this;
    }

    /** Following a log blocks after its lines until the reading thread is interrupted. */
    public synchronized World followBlocks() {
      followBlocks = true;
      return this;
    }

    /** The metrics.json every registered model gets as metadata. */
    public synchronized World modelMetrics(ModelMetrics value) {
      metrics = value;
      return this;
    }

    /** createEndpoint throws {@code failure}. */
    public synchronized World failDeploy(RuntimeException failure) {
      deployFailure = failure;
      return this;
    }

    /** Counted down once a follow of a log has handed over its lines and waits for more. */
    public synchronized CountDownLatch following() {
      return following;
    }

    public synchronized List<TrainSpec> submitted() {
      return List.copyOf(submitted);
    }

    public synchronized List<JobRef> cancelled() {
      return List.copyOf(cancelled);
    }

    public synchronized List<JobRef> resumed() {
      return List.copyOf(resumed);
    }

    public synchronized List<ProviderSettings> settings() {
      return List.copyOf(settings);
    }

    public synchronized List<ModelDescription> models() {
      return List.copyOf(models.values());
    }

    public synchronized List<EndpointRef> endpoints() {
      return List.copyOf(endpoints.keySet());
    }

    /** Adds a job that walks through {@code states}, as if submitted earlier. */
    public synchronized JobRef addJob(String id, JobState... states) {
      JobRef ref = new JobRef(NAME, id);
      jobs.put(ref, new ArrayDeque<>(Arrays.asList(states)));
      return ref;
    }

    /** Registers a model, as if registered earlier. */
    public synchronized ModelRef addModel(String name) {
      return register(new RegisterSpec(name, ArtifactUri.parse("s3://bucket/models/" + name)));
    }

    synchronized JobRef submit(TrainSpec spec) {
      submitted.add(spec);
      return addJob(
          spec.output().name() + "-" + (jobs.size() + 1), jobScript.toArray(JobState[]::new));
    }

    synchronized JobDescription describeJob(JobRef job, boolean advance) {
      Deque<JobState> states = jobStates(job);
      JobState state = states.peek();
      if (advance && states.size() > 1) {
        states.pop();
      }
      JobDescription.Builder b =
          JobDescription.builder().ref(job).name(job.id()).state(state).createdAt(Instant.EPOCH);
      if (state == JobState.FAILED) {
        b.message("CUDA out of memory");
      }
      if (state == JobState.SUCCEEDED) {
        b.output(ArtifactUri.parse("s3://bucket/jobs/" + job.id() + "/output/model"));
      }
      return b.build();
    }

    private Deque<JobState> jobStates(JobRef job) {
      Deque<JobState> states = jobs.get(job);
      if (states == null) {
        throw new NotFoundException("No job " + job.id() + ".", "List jobs to see their ids.");
      }
      return states;
    }

    synchronized List<JobDescription> listJobs() {
      return jobs.keySet().stream().map(j -> describeJob(j, false)).toList().reversed();
    }

    synchronized List<String> logsOf(JobRef job) {
      jobStates(job);
      return logLines;
    }

    synchronized boolean blocksOnFollow() {
      return followBlocks;
    }

    synchronized void cancel(JobRef job) {
      Deque<JobState> states = jobStates(job);
      cancelled.add(job);
      states.clear();
      states.add(JobState.CANCELLED);
    }

    synchronized void resume(JobRef job) {
      Deque<JobState> states = jobStates(job);
      resumed.add(job);
      states.clear();
      states.addAll(jobScript);
    }

    synchronized ModelRef register(RegisterSpec spec) {
      long version = models.values().stream().filter(m -> m.name().equals(spec.name())).count() + 1;
      ModelRef ref = new ModelRef(NAME, spec.name() + "-v" + version);
      ModelDescription d =
          new ModelDescription(ref, spec.name(), spec.artifact(), Instant.EPOCH)
              .withVersion(String.valueOf(version));
      models.put(ref, metrics == null ? d : d.withMetrics(metrics));
      return ref;
    }

    synchronized List<ModelDescription> listModels() {
      return List.copyOf(models.values()).reversed();
    }

    synchronized ModelDescription describeModel(ModelRef model) {
      ModelDescription d = models.get(model);
      if (d == null) {
        throw new NotFoundException("No model " + model.id() + ".", "List models to see ids.");
      }
      return d;
    }

    synchronized void deleteModel(ModelRef model) {
      describeModel(model);
      models.remove(model);
    }

    synchronized EndpointRef createEndpoint(DeploySpec spec) {
      describeModel(spec.model());
      if (deployFailure != null) {
        throw deployFailure;
      }
      EndpointRef ref = new EndpointRef(NAME, spec.endpointName());
      endpoints.put(ref, new ArrayDeque<>(endpointScript));
      endpointModels.put(ref, spec.model());
      return ref;
    }

    synchronized EndpointDescription describeEndpoint(EndpointRef endpoint, boolean advance) {
      Deque<EndpointState> states = endpointStates(endpoint);
      EndpointState state = states.peek();
      if (advance && states.size() > 1) {
        states.pop();
      }
      EndpointDescription.Builder b =
          EndpointDescription.builder()
              .ref(endpoint)
              .name(endpoint.id())
              .state(state)
              .model(endpointModels.get(endpoint))
              .createdAt(Instant.EPOCH);
      if (state == EndpointState.FAILED) {
        b.message("the model does not fit the machine");
      }
      return b.build();
    }

    private Deque<EndpointState> endpointStates(EndpointRef endpoint) {
      Deque<EndpointState> states = endpoints.get(endpoint);
      if (states == null) {
        throw new NotFoundException(
            "No endpoint " + endpoint.id() + ".", "List endpoints to see their ids.");
      }
      return states;
    }

    synchronized List<EndpointDescription> listEndpoints() {
      return endpoints.keySet().stream().map(e -> describeEndpoint(e, false)).toList();
    }

    synchronized void deleteEndpoint(EndpointRef endpoint) {
      endpointStates(endpoint);
      endpoints.remove(endpoint);
      endpointModels.remove(endpoint);
    }

    synchronized Prediction predict(EndpointRef endpoint, Prompt prompt) {
      endpointStates(endpoint);
      return new Prediction("echo(" + prompt.maxTokens() + "): " + prompt.text());
    }
  }

  private static final class Client implements ProviderClient {
    @Override
    public JobRef submitTraining(TrainSpec spec, MachineSpec machine) {
      return WORLD.submit(spec);
    }

    @Override
    public void resumeTraining(JobRef job) {
      WORLD.resume(job);
    }

    @Override
    public List<JobDescription> listJobs() {
      return WORLD.listJobs();
    }

    @Override
    public JobDescription describeJob(JobRef job) {
      return WORLD.describeJob(job, true);
    }

    @Override
    public void streamLogs(JobRef job, boolean follow, Consumer<LogLine> sink)
        throws InterruptedException {
      for (String line : WORLD.logsOf(job)) {
        sink.accept(new LogLine(Instant.EPOCH, line));
      }
      if (follow && WORLD.blocksOnFollow()) {
        WORLD.following().countDown();
        new CountDownLatch(1).await();
      }
    }

    @Override
    public void cancelJob(JobRef job) {
      WORLD.cancel(job);
    }

    @Override
    public ArtifactUri upload(Path source, ArtifactUri destination) {
      return destination.resolve(source.getFileName().toString());
    }

    @Override
    public ModelRef registerModel(RegisterSpec spec) {
      return WORLD.register(spec);
    }

    @Override
    public List<ModelDescription> listModels() {
      return WORLD.listModels();
    }

    @Override
    public ModelDescription describeModel(ModelRef model) {
      return WORLD.describeModel(model);
    }

    @Override
    public void deleteModel(ModelRef model) {
      WORLD.deleteModel(model);
    }

    @Override
    public EndpointRef createEndpoint(DeploySpec spec) {
      return WORLD.createEndpoint(spec);
    }

    @Override
    public List<EndpointDescription> listEndpoints() {
      return WORLD.listEndpoints();
    }

    @Override
    public EndpointDescription describeEndpoint(EndpointRef endpoint) {
      return WORLD.describeEndpoint(endpoint, true);
    }

    @Override
    public void deleteEndpoint(EndpointRef endpoint) {
      WORLD.deleteEndpoint(endpoint);
    }

    @Override
    public List<Prediction> predict(EndpointRef endpoint, List<Prompt> prompts) {
      return prompts.stream().map(p -> WORLD.predict(endpoint, p)).toList();
    }

    @Override
    public Prediction predictStream(EndpointRef endpoint, Prompt prompt, Consumer<String> chunks) {
      Prediction whole = WORLD.predict(endpoint, prompt);
      for (String word : whole.text().split("(?<= )")) {
        chunks.accept(word);
      }
      return whole;
    }

    @Override
    public Duration pollInterval() {
      return Duration.ofMillis(2);
    }
  }
}
