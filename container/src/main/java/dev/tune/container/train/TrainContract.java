package dev.tune.container.train;

import dev.tune.core.error.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Whose conventions the {@code train} entrypoint follows for its spec, inputs and outputs. */
public enum TrainContract {
  /** The local provider's job directory ({@code --job-dir}). */
  LOCAL,
  /** SageMaker training: {@code /opt/ml}, hyperparameters.json, channels, {@code SM_*}. */
  SAGEMAKER,
  /** Vertex AI custom jobs: {@code AIP_*} directories, the spec in arguments or environment. */
  VERTEX;

  /** The name used on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads {@code --contract}'s value.
   *
   * @throws BadInputException for another name
   */
  public static TrainContract parse(String text) {
    for (TrainContract c : values()) {
      if (c.id().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw new BadInputException(
        "--contract is '" + text + "'.", "Use --contract local, sagemaker or vertex.");
  }

  /**
   * The contract the environment shows, when no {@code --contract} was given: SageMaker sets {@code
   * TRAINING_JOB_NAME} and writes hyperparameters.json; Vertex sets {@code AIP_MODEL_DIR} or {@code
   * CLOUD_ML_JOB_ID}.
   */
  static Optional<TrainContract> detect(Map<String, String> env) {
    if (env.containsKey(VertexLayout.AIP_MODEL_DIR) || env.containsKey(VertexLayout.JOB_ID)) {
      return Optional.of(VERTEX);
    }
    if (env.containsKey(SageMakerLayout.JOB_NAME)
        || env.containsKey(SageMakerLayout.SM_MODEL_DIR)
        || Files.isRegularFile(
            Path.of(SageMakerLayout.OPT_ML, "input", "config", SageMakerLayout.HYPERPARAMETERS))) {
      return Optional.of(SAGEMAKER);
    }
    return Optional.empty();
  }
}
