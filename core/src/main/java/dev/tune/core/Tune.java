package dev.tune.core;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.LogLine;
import dev.tune.core.model.ModelDescription;
import dev.tune.core.model.ModelSelector;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.progress.Waiter;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.provider.ProviderClient;
import dev.tune.core.provider.ProviderRegistry;
import dev.tune.core.provider.ProviderSettings;
import dev.tune.core.run.RunListener;
import dev.tune.core.run.RunPipeline;
import dev.tune.core.run.RunResult;
import dev.tune.core.train.PreflightVerdict;
import dev.tune.core.train.TrainPreflight;
import dev.tune.core.train.TrainSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.function.Consumer;

/**
 * The entry point of the SDK: one provider, connected, with every operation a pipeline needs.
 *
 * <pre>{@code
 * try (Tune tune = Tune.provider("vertex", config.provider())) {
 *   JobDescription done = tune.train(config.trainSpec()).await(System.err::println);
 *   ModelRef model = tune.register(new RegisterSpec("support-bot", done.output().orElseThrow()));
 *   EndpointDescription endpoint = tune.deploy(config.deploySpec(model)).await(event -> {});
 *   Prediction answer = tune.predict(endpoint.ref(), Prompt.of("Hello"));
 * }
 * }</pre>
 *
 * <p>Every failure is a {@link dev.tune.core.error.TuneException}.
 */
public final class Tune implements AutoCloseable {
  private final String providerName;
  private final ProviderSettings settings;
  private final ProviderClient client;
  private final Waiter waiter;
  private final List<TrainPreflight> preflights;

  private Tune(
      ProviderSettings settings,
      ProviderClient client,
      Waiter waiter,
      List<TrainPreflight> preflights) {
    this.providerName = settings.name();
    this.settings = settings;
    this.client = client;
    this.waiter = waiter;
    this.preflights = List.copyOf(preflights);
  }

  /**
   * Connects to provider {@code name} with default settings (the environment decides regions,
   * projects and credentials).
   *
   * @throws BadInputException if no provider of that name is on the classpath; the message lists
   *     the ones that are
   */
  public static Tune provider(String name) {
    return provider(name, ProviderSettings.defaults(name));
  }

  /**
   * Connects to provider {@code name} with {@code settings}; {@code name} overrides the provider
   * the settings choose.
   *
   * @throws BadInputException if no provider of that name is on the classpath; the message lists
   *     the ones that are
   */
  public static Tune provider(String name, ProviderSettings settings) {
    return connect(ProviderRegistry.discover(), settings.withName(name));
  }

  /** Connects to the provider that {@code config} chooses, with its settings. */
  public static Tune from(TuneConfig config) {
    return connect(ProviderRegistry.discover(), config.provider());
  }

  /** Connects to the provider that {@code settings} chooses, found in {@code registry}. */
  public static Tune connect(ProviderRegistry registry, ProviderSettings settings) {
    ProviderClient client = registry.get(settings.name()).connect(settings);
    return new Tune(settings, client, new Waiter(client.pollInterval()), TrainPreflight.discover());
  }

  /** The names of the providers on the classpath. */
  public static SortedSet<String> availableProviders() {
    return ProviderRegistry.discover().names();
  }

  /** A view of this connection that polls every {@code interval} while waiting. */
  public Tune withPollInterval(Duration interval) {
    return new Tune(settings, client, new Waiter(interval), preflights);
  }

  /**
   * A view of this connection that runs {@code checks} before submitting training instead of the
   * {@link TrainPreflight}s found on the classpath; none skips the checks.
   */
  public Tune withPreflights(List<TrainPreflight> checks) {
    return new Tune(settings, client, waiter, checks);
  }

  /** The connected provider's name. */
  public String providerName() {
    return providerName;
  }

  /** Starts training on the provider's configured training machine. */
  public TrainingJob train(TrainSpec spec) {
    return train(spec, settings.trainMachine());
  }

  /**
   * Starts training on {@code machine}, once every {@link TrainPreflight} lets the run through.
   *
   * @throws dev.tune.core.error.TuneException from a preflight check that refuses the run (a {@link
   *     dev.tune.core.error.QuotaException} when it does not fit the machine); nothing is submitted
   */
  public TrainingJob train(TrainSpec spec, MachineSpec machine) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(machine, "machine");
    List<PreflightVerdict> verdicts = new ArrayList<>();
    for (TrainPreflight check : preflights) {
      verdicts.add(check.check(spec, providerName, machine));
    }
    return new TrainingJob(own(client.submitTraining(spec, machine)), client, waiter, verdicts);
  }

  /** Training jobs: list, describe, logs, cancel. */
  public Jobs jobs() {
    return new Jobs();
  }

  /** Copies a local file or directory into the provider's storage. */
  public ArtifactUri upload(Path source, ArtifactUri destination) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    return client.upload(source, destination);
  }

  /** Adds a trained model to the provider's registry. */
  public ModelRef register(RegisterSpec spec) {
    return own(client.registerModel(Objects.requireNonNull(spec, "spec")));
  }

  /** Registered models: list, describe, delete. */
  public Models models() {
    return new Models();
  }

  /** Starts creating an endpoint for a registered model. */
  public Deployment deploy(DeploySpec spec) {
    Objects.requireNonNull(spec, "spec");
    checkOwned(spec.model());
    return new Deployment(own(client.createEndpoint(spec)), client, waiter);
  }

  /** Endpoints: list, describe, delete. */
  public Endpoints endpoints() {
    return new Endpoints();
  }

  /** Generates text for one prompt. */
  public Prediction predict(EndpointRef endpoint, Prompt prompt) {
    return predict(endpoint, List.of(Objects.requireNonNull(prompt, "prompt"))).get(0);
  }

  /**
   * Generates text for one prompt, handing it to {@code chunks} as the endpoint produces it (all at
   * once where the provider cannot stream).
   *
   * @return the whole prediction
   */
  public Prediction predictStream(EndpointRef endpoint, Prompt prompt, Consumer<String> chunks) {
    checkOwned(endpoint);
    Objects.requireNonNull(prompt, "prompt");
    return client.predictStream(endpoint, prompt, Objects.requireNonNull(chunks, "chunks"));
  }

  /** Generates text for each prompt, in order. */
  public List<Prediction> predict(EndpointRef endpoint, List<Prompt> prompts) {
    checkOwned(endpoint);
    if (prompts.isEmpty()) {
      return List.of();
    }
    List<Prediction> predictions = client.predict(endpoint, List.copyOf(prompts));
    if (predictions.size() != prompts.size()) {
      throw new RemoteFailureException(
          "Endpoint "
              + endpoint
              + " answered "
              + prompts.size()
              + " prompts with "
              + predictions.size()
              + " predictions.",
          "The endpoint's server does not follow the prediction contract; redeploy it with the"
              + " tune image.");
    }
    return predictions;
  }

  /**
   * Trains, merges, registers and deploys what {@code config} describes, then sends the endpoint
   * one prompt; see {@link RunPipeline} for starting later in the chain.
   *
   * @return what each step produced; where a step failed, also the failure and how to continue
   */
  public RunResult run(TuneConfig config, RunListener listener) throws InterruptedException {
    return RunPipeline.builder(this, config).build().run(listener);
  }

  /** Closes the provider's client. */
  @Override
  public void close() {
    client.close();
  }

  private <R extends ResourceRef> R own(R ref) {
    if (!ref.provider().equals(providerName)) {
      throw new IllegalStateException(
          "provider " + providerName + " returned a ref of provider " + ref.provider());
    }
    return ref;
  }

  private void checkOwned(ResourceRef ref) {
    Objects.requireNonNull(ref, "ref");
    if (!ref.provider().equals(providerName)) {
      throw new BadInputException(
          ref + " belongs to provider '" + ref.provider() + "', not '" + providerName + "'.",
          "Use --provider " + ref.provider() + " for it.");
    }
  }

  /** The training-job operations of {@link Tune}. */
  public final class Jobs {
    private Jobs() {}

    /** The provider's training jobs, newest first. */
    public List<JobDescription> list() {
      return client.listJobs();
    }

    public JobDescription describe(JobRef job) {
      checkOwned(job);
      return client.describeJob(job);
    }

    /** Hands the job's log lines to {@code sink}; with {@code follow}, until the job ends. */
    public void logs(JobRef job, boolean follow, Consumer<LogLine> sink)
        throws InterruptedException {
      checkOwned(job);
      client.streamLogs(job, follow, Objects.requireNonNull(sink, "sink"));
    }

    /** Asks the provider to stop the job. */
    public void cancel(JobRef job) {
      checkOwned(job);
      client.cancelJob(job);
    }

    /**
     * Starts a failed or cancelled job again from its newest checkpoint ({@code tune train --resume
     * JOB}).
     *
     * @return a handle on the resumed job, to wait for it
     * @throws BadInputException if the provider cannot resume jobs
     */
    public TrainingJob resume(JobRef job) {
      checkOwned(job);
      client.resumeTraining(job);
      return new TrainingJob(job, client, waiter);
    }

    /** A handle on an existing job, to wait for it. */
    public TrainingJob attach(JobRef job) {
      checkOwned(job);
      return new TrainingJob(job, client, waiter);
    }
  }

  /** The model-registry operations of {@link Tune}. */
  public final class Models {
    private Models() {}

    /** The provider's registered models, newest first. */
    public List<ModelDescription> list() {
      return client.listModels();
    }

    public ModelDescription describe(ModelRef model) {
      checkOwned(model);
      return client.describeModel(model);
    }

    /**
     * The model {@code query} names: the provider's id, {@code NAME} (the newest of that name) or
     * {@code NAME:VERSION}.
     *
     * @throws dev.tune.core.error.NotFoundException if none matches
     */
    public ModelDescription find(String query) {
      return ModelSelector.of(query).select(client.listModels());
    }

    public void delete(ModelRef model) {
      checkOwned(model);
      client.deleteModel(model);
    }
  }

  /** The endpoint operations of {@link Tune}. */
  public final class Endpoints {
    private Endpoints() {}

    /** The provider's endpoints, newest first. */
    public List<EndpointDescription> list() {
      return client.listEndpoints();
    }

    public EndpointDescription describe(EndpointRef endpoint) {
      checkOwned(endpoint);
      return client.describeEndpoint(endpoint);
    }

    public void delete(EndpointRef endpoint) {
      checkOwned(endpoint);
      client.deleteEndpoint(endpoint);
    }

    /**
     * The endpoint called {@code name}: its id, or else its display name.
     *
     * @throws dev.tune.core.error.NotFoundException if there is none
     */
    public EndpointDescription find(String name) {
      List<EndpointDescription> all = client.listEndpoints();
      return all.stream()
          .filter(e -> e.ref().id().equals(name))
          .findFirst()
          .or(() -> all.stream().filter(e -> e.name().equals(name)).findFirst())
          .orElseThrow(
              () ->
                  new NotFoundException(
                      "No endpoint '" + name + "' at provider " + providerName + ".",
                      "List the endpoints with `tune endpoints list`."));
    }

    /** A handle on an existing endpoint, to wait until it serves. */
    public Deployment attach(EndpointRef endpoint) {
      checkOwned(endpoint);
      return new Deployment(endpoint, client, waiter);
    }
  }
}
