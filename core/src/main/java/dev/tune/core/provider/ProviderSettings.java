package dev.tune.core.provider;

import dev.tune.core.error.BadInputException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which provider to use and the settings of each built-in one (the {@code provider} section of
 * {@code tune.yaml}). A provider reads its own block and ignores the others.
 *
 * @param name the provider to use, e.g. {@code vertex}
 * @param local settings of the {@code local} provider
 * @param sagemaker settings of the {@code sagemaker} provider
 * @param vertex settings of the {@code vertex} provider
 */
public record ProviderSettings(
    String name, LocalSettings local, SageMakerSettings sagemaker, VertexSettings vertex) {

  /** The provider used when none is named. */
  public static final String DEFAULT_PROVIDER = "local";

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

  public ProviderSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(sagemaker, "sagemaker");
    Objects.requireNonNull(vertex, "vertex");
    if (!NAME.matcher(name).matches()) {
      throw new BadInputException(
          "'" + name + "' is not a provider name.",
          "Provider names are lower-case, such as local, sagemaker or vertex.");
    }
  }

  /** Defaults for every block, using provider {@code name}. */
  public static ProviderSettings defaults(String name) {
    return new ProviderSettings(
        name, LocalSettings.defaults(), SageMakerSettings.defaults(), VertexSettings.defaults());
  }

  /** The same settings with provider {@code name} chosen instead. */
  public ProviderSettings withName(String name) {
    return new ProviderSettings(name, local, sagemaker, vertex);
  }

  /** The same settings with the {@code local} block replaced by {@code value}. */
  public ProviderSettings withLocal(LocalSettings value) {
    return new ProviderSettings(name, value, sagemaker, vertex);
  }

  /** The training machine of the chosen provider; the provider's default if it has no block. */
  public MachineSpec trainMachine() {
    return switch (name) {
      case "sagemaker" -> sagemaker.trainMachine();
      case "vertex" -> vertex.trainMachine();
      default -> MachineSpec.providerDefault();
    };
  }

  /** The endpoint machine of the chosen provider; the provider's default if it has no block. */
  public MachineSpec deployMachine() {
    return switch (name) {
      case "sagemaker" -> sagemaker.deployMachine();
      case "vertex" -> vertex.deployMachine();
      default -> MachineSpec.providerDefault();
    };
  }
}
