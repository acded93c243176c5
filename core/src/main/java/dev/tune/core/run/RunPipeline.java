package dev.tune.core.run;

import dev.tune.core.Deployment;
import dev.tune.core.EndpointRef;
import dev.tune.core.JobRef;
import dev.tune.core.ModelRef;
import dev.tune.core.TrainingJob;
import dev.tune.core.Tune;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.LogLine;
import dev.tune.core.model.ModelDescription;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.model.SampleGeneration;
import dev.tune.core.train.PreflightVerdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Train, merge, register, deploy and send one prompt: the whole of {@code tune run}, for any
 * provider. A step that fails ends the run with a {@link RunResult} that keeps what the earlier
 * steps produced and names the commands that continue from there; a run can also start from a
 * finished job ({@link Builder#fromJob}) or a registered model ({@link Builder#fromModel}).
 *
 * <pre>{@code
 * try (Tune tune = Tune.from(config)) {
 *   RunResult result = RunPipeline.builder(tune, config).build().run(listener);
 *   result.smoke().ifPresent(s -> System.out.println(s.tunedAnswer()));
 * }
 * }</pre>
 */
public final class RunPipeline {
  /** The smoke prompt's length, as the train entrypoint generates its samples: 64 new tokens. */
  static final int SMOKE_MAX_TOKENS = 64;

  /** The prompt sent when neither the user nor the model's samples give one. */
  static final String FALLBACK_PROMPT = "Hello! What can you do?";

  private final Tune tune;
  private final TuneConfig config;
  private final Optional<JobRef> fromJob;
  private final Optional<ModelRef> fromModel;
  private final Optional<String> prompt;

  private RunPipeline(Builder b) {
    this.tune = b.tune;
    this.config = b.config;
    this.fromJob = b.fromJob;
    this.fromModel = b.fromModel;
    this.prompt = b.prompt;
  }

  /** A pipeline for {@code config} on {@code tune}'s provider; starts by training. */
  public static Builder builder(Tune tune, TuneConfig config) {
    return new Builder(tune, config);
  }

  /**
   * Runs the steps in order until one fails.
   *
   * @return what was produced, with the failure if a step failed
   * @throws InterruptedException if the thread is interrupted while waiting; what was submitted
   *     goes on at the provider
   */
  public RunResult run(RunListener listener) throws InterruptedException {
    Objects.requireNonNull(listener, "listener");
    RunResult result = RunResult.empty();
    ModelDescription model;
    if (fromModel.isPresent()) {
      try {
        model = tune.models().describe(fromModel.get());
      } catch (TuneException e) {
        return result.withFailure(
            new RunFailure(RunStep.REGISTER, e, List.of("tune models list" + providerFlag())));
      }
      result = result.withModel(model);
    } else {
      result = train(result, listener);
      if (result.failure().isPresent()) {
        return result;
      }
      result = register(result, listener);
      if (result.failure().isPresent()) {
        return result;
      }
      model = result.model().orElseThrow();
    }
    result = deploy(result, model, listener);
    if (result.failure().isPresent()) {
      return result;
    }
    return predict(result, model, result.endpoint().orElseThrow(), listener);
  }

  private RunResult train(RunResult result, RunListener listener) throws InterruptedException {
    listener.stepStarted(RunStep.TRAIN);
    TrainingJob job;
    try {
      job =
          fromJob.isPresent() ? tune.jobs().attach(fromJob.get()) : tune.train(config.trainSpec());
    } catch (TuneException e) {
      return result.withFailure(new RunFailure(RunStep.TRAIN, e, List.of(again())));
    }
    for (PreflightVerdict verdict : job.preflight()) {
      listener.logLine(new LogLine(Instant.now(), "preflight: " + verdict.summary()));
    }
    result = result.withJob(job.ref());
    String jobId = job.ref().id();
    List<String> continueTraining =
        List.of(
            "tune jobs logs" + providerFlag() + " " + jobId,
            "tune train" + providerFlag() + " --resume " + jobId,
            "tune run" + providerFlag() + " --job " + jobId);
    JobDescription done;
    try {
      done = job.follow(listener, listener::logLine);
    } catch (TuneException e) {
      return result.withFailure(new RunFailure(RunStep.TRAIN, e, continueTraining));
    }
    Optional<ArtifactUri> output = done.output();
    if (output.isEmpty()) {
      return result.withFailure(
          new RunFailure(
              RunStep.TRAIN,
              new RemoteFailureException(
                  "Training job " + job.ref() + " succeeded but names no model output.",
                  "The provider did not report where the model went; look at the job with `tune"
                      + " jobs describe "
                      + jobId
                      + "`."),
              List.of("tune jobs describe" + providerFlag() + " " + jobId)));
    }
    result = result.withTrainedModel(output.get());
    listener.stepFinished(RunStep.TRAIN, result);
    return result;
  }

  private RunResult register(RunResult result, RunListener listener) {
    listener.stepStarted(RunStep.REGISTER);
    ArtifactUri artifact = result.trainedModel().orElseThrow();
    try {
      ModelRef ref = tune.register(new RegisterSpec(config.trainSpec().output().name(), artifact));
      result = result.withModel(tune.models().describe(ref));
    } catch (TuneException e) {
      List<String> next = new ArrayList<>();
      result.job().ifPresent(j -> next.add("tune run" + providerFlag() + " --job " + j.id()));
      return result.withFailure(new RunFailure(RunStep.REGISTER, e, next));
    }
    listener.stepFinished(RunStep.REGISTER, result);
    return result;
  }

  private RunResult deploy(RunResult result, ModelDescription model, RunListener listener)
      throws InterruptedException {
    listener.stepStarted(RunStep.DEPLOY);
    Optional<EndpointRef> created = Optional.empty();
    try {
      Deployment deployment = tune.deploy(config.deploySpec(model.ref()));
      created = Optional.of(deployment.ref());
      result = result.withEndpoint(deployment.await(listener));
    } catch (TuneException e) {
      List<String> next = new ArrayList<>();
      if (created.isPresent()) {
        String id = created.get().id();
        result = keepEndpoint(result, created.get());
        next.add("tune endpoints describe" + providerFlag() + " " + id);
        next.add("tune endpoints delete" + providerFlag() + " " + id + " --yes");
      }
      next.add("tune deploy" + providerFlag() + " --model " + model.displayName());
      return result.withFailure(new RunFailure(RunStep.DEPLOY, e, next));
    }
    listener.stepFinished(RunStep.DEPLOY, result);
    return result;
  }

  /** Keeps a failed endpoint in the result, so that the user can inspect and delete it. */
  private RunResult keepEndpoint(RunResult result, EndpointRef endpoint) {
    try {
      return result.withEndpoint(tune.endpoints().describe(endpoint));
    } catch (TuneException gone) {
      return result;
    }
  }

  private RunResult predict(
      RunResult result,
      ModelDescription model,
      EndpointDescription endpoint,
      RunListener listener) {
    listener.stepStarted(RunStep.PREDICT);
    Optional<SampleGeneration> sample =
        model.metrics().flatMap(m -> m.samples().stream().findFirst());
    String text = prompt.or(() -> sample.map(SampleGeneration::prompt)).orElse(FALLBACK_PROMPT);
    Optional<String> base =
        sample.filter(s -> s.prompt().equals(text)).map(SampleGeneration::before);
    try {
      Prediction answer =
          tune.predict(endpoint.ref(), Prompt.builder(text).maxTokens(SMOKE_MAX_TOKENS).build());
      result = result.withSmoke(new SmokeTest(text, answer.text(), base));
    } catch (TuneException e) {
      return result.withFailure(
          new RunFailure(
              RunStep.PREDICT,
              e,
              List.of(
                  "tune predict"
                      + providerFlag()
                      + " --endpoint "
                      + endpoint.ref().id()
                      + " \"your prompt\"")));
    }
    listener.stepFinished(RunStep.PREDICT, result);
    return result;
  }

  private String again() {
    return "tune run" + providerFlag() + " --config " + config.source();
  }

  private String providerFlag() {
    return " --provider " + tune.providerName();
  }

  /** Builds {@link RunPipeline}. */
  public static final class Builder {
    private final Tune tune;
    private final TuneConfig config;
    private Optional<JobRef> fromJob = Optional.empty();
    private Optional<ModelRef> fromModel = Optional.empty();
    private Optional<String> prompt = Optional.empty();

    private Builder(Tune tune, TuneConfig config) {
      this.tune = Objects.requireNonNull(tune, "tune");
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Skips submitting: follows {@code job} (running or done) and goes on from its model. */
    public Builder fromJob(JobRef job) {
      fromJob = Optional.of(job);
      fromModel = Optional.empty();
      return this;
    }

    /** Skips training and registration: deploys {@code model}. */
    public Builder fromModel(ModelRef model) {
      fromModel = Optional.of(model);
      fromJob = Optional.empty();
      return this;
    }

    /**
     * The smoke prompt. Default: the first of the model's sample prompts, so that the base model's
     * answer to it can be shown beside the tuned one.
     */
    public Builder prompt(String value) {
      prompt = Optional.of(value);
      return this;
    }

    public RunPipeline build() {
      return new RunPipeline(this);
    }
  }
}
