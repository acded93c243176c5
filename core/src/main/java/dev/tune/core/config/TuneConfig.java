package dev.tune.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.ModelRef;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.provider.ProviderSettings;
import dev.tune.core.train.TrainSpec;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded and valid {@code tune.yaml}: what to train, where, and how to deploy it.
 *
 * <p>Its {@link #toString()} and {@link #toJson()} show the effective configuration, defaults
 * included, with every value that came from an environment variable (and the Hugging Face token)
 * masked as {@code ****}.
 */
public final class TuneConfig {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String source;
  private final TrainSpec trainSpec;
  private final ProviderSettings provider;
  private final DeploySettings deploy;
  private final Set<String> secretPaths;

  TuneConfig(
      String source,
      TrainSpec trainSpec,
      ProviderSettings provider,
      DeploySettings deploy,
      Set<String> secretPaths) {
    this.source = Objects.requireNonNull(source, "source");
    this.trainSpec = Objects.requireNonNull(trainSpec, "trainSpec");
    this.provider = Objects.requireNonNull(provider, "provider");
    this.deploy = Objects.requireNonNull(deploy, "deploy");
    this.secretPaths = Set.copyOf(secretPaths);
  }

  /**
   * Loads {@code file} with the process environment.
   *
   * @throws InvalidConfigException listing every problem of the file
   * @throws dev.tune.core.error.BadInputException if the file cannot be read
   */
  public static TuneConfig load(Path file) {
    return TuneConfigLoader.create().load(file);
  }

  /** The file it was read from, as named. */
  public String source() {
    return source;
  }

  /** The model, quantization, LoRA, data, training and output sections. */
  public TrainSpec trainSpec() {
    return trainSpec;
  }

  /** The {@code provider} section, with the chosen provider's name. */
  public ProviderSettings provider() {
    return provider;
  }

  /** The {@code deploy} section. */
  public DeploySettings deploy() {
    return deploy;
  }

  /** The model the {@code deploy} section names, if it names one. */
  public Optional<ModelRef> deployModel() {
    return deploy.model().map(id -> new ModelRef(provider.name(), id));
  }

  /** The endpoint to create for {@code model}, on the chosen provider's deploy machine. */
  public DeploySpec deploySpec(ModelRef model) {
    return new DeploySpec(
        model,
        deploy.endpointName(),
        provider.deployMachine(),
        deploy.minReplicas(),
        deploy.maxReplicas());
  }

  /** The effective configuration as a JSON tree, secrets masked. */
  public ObjectNode toJsonTree() {
    return new ConfigRenderer(secretPaths).render(trainSpec, provider, deploy);
  }

  /** The effective configuration as pretty-printed JSON, secrets masked. */
  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJsonTree());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  @Override
  public String toString() {
    return toJson();
  }
}
