package dev.tune.core.run;

import dev.tune.core.JobRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.model.ModelDescription;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link RunPipeline} produced, step by step. A failed run keeps everything the steps before
 * the failure made, so nothing is lost: the job, the exported model, the registered model, the
 * endpoint.
 *
 * @param job the training job, when the run trained
 * @param trainedModel where the job exported the merged model
 * @param model the registered model
 * @param endpoint the endpoint, serving
 * @param smoke the prompt sent to the endpoint and the answers
 * @param failure where and why the run stopped; empty when every step succeeded
 */
public record RunResult(
    Optional<JobRef> job,
    Optional<ArtifactUri> trainedModel,
    Optional<ModelDescription> model,
    Optional<EndpointDescription> endpoint,
    Optional<SmokeTest> smoke,
    Optional<RunFailure> failure) {

  public RunResult {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(trainedModel, "trainedModel");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(smoke, "smoke");
    Objects.requireNonNull(failure, "failure");
  }

  /** Nothing produced yet. */
  static RunResult empty() {
    return new RunResult(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** Whether every step succeeded. */
  public boolean succeeded() {
    return failure.isEmpty();
  }

  RunResult withJob(JobRef value) {
    return new RunResult(Optional.of(value), trainedModel, model, endpoint, smoke, failure);
  }

  RunResult withTrainedModel(ArtifactUri value) {
    return new RunResult(job, Optional.of(value), model, endpoint, smoke, failure);
  }

  RunResult withModel(ModelDescription value) {
    return new RunResult(job, trainedModel, Optional.of(value), endpoint, smoke, failure);
  }

  RunResult withEndpoint(EndpointDescription value) {
    return new RunResult(job, trainedModel, model, Optional.of(value), smoke, failure);
  }

  RunResult withSmoke(SmokeTest value) {
    return new RunResult(job, trainedModel, model, endpoint, Optional.of(value), failure);
  }

  RunResult withFailure(RunFailure value) {
    return new RunResult(job, trainedModel, model, endpoint, smoke, Optional.of(value));
  }

  /** The commands to query the endpoint and to delete it, once there is one. */
  public List<String> endpointCommands() {
    return endpoint
        .map(
            e ->
                List.of(
                    "tune predict --provider "
                        + e.ref().provider()
                        + " --endpoint "
                        + e.ref().id()
                        + " \"your prompt\"",
                    "tune endpoints delete --provider "
                        + e.ref().provider()
                        + " "
                        + e.ref().id()
                        + " --yes"))
        .orElse(List.of());
  }
}
