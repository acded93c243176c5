package dev.tune.core.provider;

import java.util.Locale;

/**
 * Which container contract the {@code local} provider runs the train and serve entrypoints under:
 * its own job directory, or a temporary directory laid out exactly like a SageMaker or Vertex AI
 * container, to try a cloud run on this machine first.
 */
public enum LocalContract {
  /** The local provider's job directory ({@code train --contract local --job-dir DIR}). */
  LOCAL,
  /** SageMaker's {@code /opt/ml} layout and {@code SM_*} environment, mapped to a temp dir. */
  SAGEMAKER,
  /** Vertex AI's {@code AIP_*} environment, mapped to a temp dir. */
  VERTEX;

  /** The name used on the command line and by the entrypoint's {@code --contract}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
