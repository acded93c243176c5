package dev.tune.core.provider;

import dev.tune.core.EndpointRef;
import dev.tune.core.JobRef;
import dev.tune.core.ModelRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.BadInputException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.LogLine;
import dev.tune.core.model.ModelDescription;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.train.TrainSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The operations of one connected provider. Every method either does what it says or throws a
 * {@link dev.tune.core.error.TuneException} subtype: {@code NotFoundException} for an unknown ref,
 * {@code AuthException} for rejected credentials, {@code QuotaException} for capacity and quota
 * errors, {@code ConflictException} for names in use, {@code RemoteFailureException} for service
 * errors that outlived the retries.
 *
 * <p>Long operations return as soon as the provider accepted them; {@link dev.tune.core.Tune} waits
 * for them by polling the describe methods.
 */
public interface ProviderClient extends AutoCloseable {

  /** Starts a training job and returns its ref once the provider accepted it. */
  JobRef submitTraining(TrainSpec spec, MachineSpec machine);

  /** The provider's training jobs, newest first. */
  List<JobDescription> listJobs();

  JobDescription describeJob(JobRef job);

  /**
   * Hands the job's log lines to {@code sink}, oldest first. With {@code follow}, keeps going until
   * the job ends.
   */
  void streamLogs(JobRef job, boolean follow, Consumer<LogLine> sink) throws InterruptedException;

  /** Asks the job to stop; returns once the provider accepted the request. */
  void cancelJob(JobRef job);

  /**
   * Starts a failed or cancelled job again under the same ref, continuing from the newest
   * checkpoint it saved; returns once the provider accepted it. Providers that cannot do this keep
   * the default, which says so.
   *
   * @throws dev.tune.core.error.ConflictException if the job is still running or has succeeded
   */
  default void resumeTraining(JobRef job) {
    throw new BadInputException(
        "Training job " + job + " cannot be resumed: its provider does not support it.",
        "Start the training again with tune train.");
  }

  /**
   * Copies a local file or directory to {@code destination} in the provider's storage.
   *
   * @return where the copy is
   */
  ArtifactUri upload(Path source, ArtifactUri destination);

  /** Adds a model to the provider's registry. */
  ModelRef registerModel(RegisterSpec spec);

  /** The provider's registered models, newest first. */
  List<ModelDescription> listModels();

  ModelDescription describeModel(ModelRef model);

  void deleteModel(ModelRef model);

  /** Starts creating an endpoint and returns its ref once the provider accepted it. */
  EndpointRef createEndpoint(DeploySpec spec);

  /** The provider's endpoints, newest first. */
  List<EndpointDescription> listEndpoints();

  EndpointDescription describeEndpoint(EndpointRef endpoint);

  void deleteEndpoint(EndpointRef endpoint);

  /** Generates one prediction per prompt, in order. */
  List<Prediction> predict(EndpointRef endpoint, List<Prompt> prompts);

  /**
   * Generates text for one prompt, handing the text to {@code chunks} piece by piece as the
   * endpoint produces it. Providers whose endpoints cannot stream leave the default, which hands
   * over the whole answer at once.
   *
   * @return the whole prediction
   */
  default Prediction predictStream(EndpointRef endpoint, Prompt prompt, Consumer<String> chunks) {
    Prediction whole = predict(endpoint, List.of(prompt)).get(0);
    chunks.accept(whole.text());
    return whole;
  }

  /** How often to poll describe while waiting; remote services want it slow, local fast. */
  default Duration pollInterval() {
    return Duration.ofSeconds(10);
  }

  /** Releases connections and threads. */
  @Override
  default void close() {}
}
