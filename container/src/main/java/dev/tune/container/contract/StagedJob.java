package dev.tune.container.contract;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A training job laid out on disk the way one provider lays out its container: the child's
 * environment and arguments, and where it will leave its outputs.
 */
sealed interface StagedJob permits SageMakerJobDir, VertexJobDir {
  Path root();

  Map<String, String> env();

  List<String> args();

  Path modelDir();

  Path adapterDir();

  Path metricsFile();

  Path eventsFile();

  /** Where the platform would read the reason of a failure; empty where it reads the log. */
  Optional<Path> failureFile();
}
