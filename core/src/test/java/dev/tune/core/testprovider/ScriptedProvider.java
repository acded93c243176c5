package dev.tune.core.testprovider;

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
import java.util.function.Consumer;

/**
 * A test double of the provider SPI: an in-memory provider whose jobs and endpoints walk through
 * states the test scripts, one state per describe call. Registered in the test resources'
 * META-INF/services so that ServiceLoader discovery is tested for real.
 */
public final class ScriptedProvider implements Provider {
  public static final String NAME = "scripted";

  private List<JobState> jobScript =
      List.of(JobState.PENDING, JobState.RUNNING, JobState.SUCCEEDED);
  private List<EndpointState> endpointScript =
      List.of(EndpointState.CREATING, EndpointState.IN_SERVICE);
  private String failureMessage = "CUDA out of memory";
  private boolean dropOnePrediction;
  private List<String> logLines = List.of("step 1 loss 2.5", "step 2 loss 2.1");
  private RuntimeException registerFailure;
  private RuntimeException deployFailure;
  private ModelMetrics modelMetrics;
  private Client lastClient;

  public ScriptedProvider scriptJob(JobState... states) {
    jobScript = Arrays.asList(states);
    return this;
  }

  public ScriptedProvider scriptEndpoint(EndpointState... states) {
    endpointScript = Arrays.asList(states);
    return this;
  }

  public ScriptedProvider failWith(String message) {
    failureMessage = message;
    return this;
  }

  public ScriptedProvider dropOnePrediction() {
    dropOnePrediction = true;
    return this;
  }

  /** The lines every job's log holds. */
  public ScriptedProvider logLines(String... lines) {
    logLines = List.of(lines);
    return this;
  }

  /** Makes registerModel throw {@code failure}. */
  public ScriptedProvider failRegister(RuntimeException failure) {
    registerFailure = failure;
    return this;
  }

  /** Makes createEndpoint throw {@code failure}. */
  public ScriptedProvider failDeploy(RuntimeException failure) {
    deployFailure = failure;
    return this;
  }

  /** The metadata every registered model gets, as a registry that keeps metrics.json would. */
  public ScriptedProvider modelMetrics(ModelMetrics metrics) {
    modelMetrics = metrics;
    return this;
  }

  /** The client of the latest connect, to inspect what it was asked. */
  public Client lastClient() {
    return lastClient;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "in-memory provider for tests";
  }

  @Override
  public ProviderClient connect(ProviderSettings settings) {
    lastClient = new Client(settings);
    return lastClient;
  }

  /** The in-memory client. */
  public final class Client implements ProviderClient {
    private final ProviderSettings settings;
    private final Map<JobRef, Deque<JobState>> jobs = new LinkedHashMap<>();
    private final Map<EndpointRef, Deque<EndpointState>> endpoints = new LinkedHashMap<>();
    private final Map<ModelRef, ModelDescription> models = new LinkedHashMap<>();
    private final List<MachineSpec> trainMachines = new ArrayList<>();
    private final List<JobRef> cancelled = new ArrayList<>();
    private boolean closed;

    Client(ProviderSettings settings) {
      this.settings = settings;
    }

    public ProviderSettings settings() {
      return settings;
    }

    public List<MachineSpec> trainMachines() {
      return trainMachines;
    }

    public List<JobRef> cancelled() {
      return cancelled;
    }

    public boolean closed() {
      return closed;
    }

    @Override
    public JobRef submitTraining(TrainSpec spec, MachineSpec machine) {
      JobRef ref = new JobRef(NAME, spec.output().name() + "-" + (jobs.size() + 1));
      jobs.put(ref, new ArrayDeque<>(jobScript));
      trainMachines.add(machine);
      return ref;
    }

    @Override
    public List<JobDescription> listJobs() {
      return jobs.keySet().stream().map(this::peekJob).toList().reversed();
    }

    @Override
    public JobDescription describeJob(JobRef job) {
      JobDescription now = peekJob(job);
      Deque<JobState> states = jobStates(job);
      if (states.size() > 1) {
        states.pop();
      }
      return now;
    }

    private JobDescription peekJob(JobRef job) {
      JobState state = jobStates(job).peek();
      JobDescription.Builder b =
          JobDescription.builder().ref(job).name(job.id()).state(state).createdAt(Instant.EPOCH);
      if (state == JobState.FAILED) {
        b.message(failureMessage);
      }
      if (state == JobState.SUCCEEDED) {
        b.output(ArtifactUri.parse("s3://bucket/models/" + job.id()));
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

    @Override
    public void streamLogs(JobRef job, boolean follow, Consumer<LogLine> sink) {
      jobStates(job);
      logLines.forEach(line -> sink.accept(new LogLine(Instant.EPOCH, line)));
    }

    @Override
    public void cancelJob(JobRef job) {
      jobStates(job);
      cancelled.add(job);
    }

    @Override
    public ArtifactUri upload(Path source, ArtifactUri destination) {
      return destination.resolve(source.getFileName().toString());
    }

    @Override
    public ModelRef registerModel(RegisterSpec spec) {
      if (registerFailure != null) {
        throw registerFailure;
      }
      ModelRef ref = new ModelRef(NAME, spec.name() + "@" + (models.size() + 1));
      ModelDescription d =
          new ModelDescription(ref, spec.name(), spec.artifact(), Instant.EPOCH)
              .withVersion(String.valueOf(models.size() + 1));
      models.put(ref, modelMetrics == null ? d : d.withMetrics(modelMetrics));
      return ref;
    }

    @Override
    public List<ModelDescription> listModels() {
      return List.copyOf(models.values()).reversed();
    }

    @Override
    public ModelDescription describeModel(ModelRef model) {
      ModelDescription d = models.get(model);
      if (d == null) {
        throw new NotFoundException(
            "No model " + model.id() + ".", "List models to see their ids.");
      }
      return d;
    }

    @Override
    public void deleteModel(ModelRef model) {
      describeModel(model);
      models.remove(model);
    }

    @Override
    public EndpointRef createEndpoint(DeploySpec spec) {
      describeModel(spec.model());
      if (deployFailure != null) {
        throw deployFailure;
      }
      EndpointRef ref = new EndpointRef(NAME, spec.endpointName());
      endpoints.put(ref, new ArrayDeque<>(endpointScript));
      return ref;
    }

    @Override
    public List<EndpointDescription> listEndpoints() {
      return endpoints.keySet().stream().map(this::peekEndpoint).toList();
    }

    @Override
    public EndpointDescription describeEndpoint(EndpointRef endpoint) {
      EndpointDescription now = peekEndpoint(endpoint);
      Deque<EndpointState> states = endpointStates(endpoint);
      if (states.size() > 1) {
        states.pop();
      }
      return now;
    }

    private EndpointDescription peekEndpoint(EndpointRef endpoint) {
      EndpointState state = endpointStates(endpoint).peek();
      EndpointDescription.Builder b =
          EndpointDescription.builder()
              .ref(endpoint)
              .name(endpoint.id())
              .state(state)
              .createdAt(Instant.EPOCH);
      if (state == EndpointState.FAILED) {
        b.message(failureMessage);
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

    @Override
    public void deleteEndpoint(EndpointRef endpoint) {
      endpointStates(endpoint);
      endpoints.remove(endpoint);
    }

    @Override
    public List<Prediction> predict(EndpointRef endpoint, List<Prompt> prompts) {
      endpointStates(endpoint);
      List<Prediction> out =
          new ArrayList<>(
              prompts.stream()
                  .map(p -> new Prediction(p.text().toUpperCase(java.util.Locale.ROOT)))
                  .toList());
      if (dropOnePrediction) {
        out.remove(out.size() - 1);
      }
      return out;
    }

    @Override
    public Duration pollInterval() {
      return Duration.ZERO;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
