package dev.tune.container.train;

import dev.tune.core.JobRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.TrainSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How one platform hands a training job its spec and inputs and collects its outputs: the local
 * provider's job directory, SageMaker's {@code /opt/ml}, or Vertex's {@code AIP_*} directories.
 */
public sealed interface TrainLayout permits LocalLayout, SageMakerLayout, VertexLayout {

  /** Channel names for inputs the platform may have staged already. */
  String MODEL_CHANNEL = "model";

  String TRAIN_CHANNEL = "train";
  String EVAL_CHANNEL = "eval";

  /** The job, as its events name it. */
  JobRef job();

  /** Reads the job's spec; secrets are not in it. */
  TrainSpec readSpec(Storage storage);

  /** Where the outputs go. */
  JobOutputs outputs();

  /** Where the reason for a failure goes so that the platform shows it; empty for none. */
  Optional<Path> failureFile();

  /** A directory for intermediate files (the merge's staging), on a disk with room for a model. */
  Path workDir();

  /** A directory the platform staged for {@code channel}, used instead of the spec's URI. */
  default Optional<Path> channel(String channel) {
    return Optional.empty();
  }

  /** The URI to read an input from: the platform may mount remote storage as local files. */
  default ArtifactUri localize(ArtifactUri uri) {
    return uri;
  }

  /** Output directories that live remotely and are synced around the run. */
  default List<RemoteDir> remoteDirs() {
    return List.of();
  }
}
