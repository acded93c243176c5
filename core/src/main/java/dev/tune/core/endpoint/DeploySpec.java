package dev.tune.core.endpoint;

import dev.tune.core.ModelRef;
import dev.tune.core.ResourceName;
import dev.tune.core.error.Violations;
import dev.tune.core.provider.MachineSpec;
import java.util.Objects;

/**
 * A prediction endpoint to create for a registered model.
 *
 * @param model the registered model to serve
 * @param endpointName the endpoint's name
 * @param machine what each replica runs on
 * @param minReplicas replicas kept running
 * @param maxReplicas the most replicas autoscaling may start
 */
public record DeploySpec(
    ModelRef model, String endpointName, MachineSpec machine, int minReplicas, int maxReplicas) {

  public DeploySpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(endpointName, "endpointName");
    Objects.requireNonNull(machine, "machine");
    Violations v = new Violations("deployment");
    v.check(ResourceName.isValid(endpointName), "endpoint_name", endpointName, ResourceName.RULE);
    v.check(minReplicas >= 1, "min_replicas", minReplicas, "an integer >= 1");
    v.check(
        maxReplicas >= minReplicas,
        "max_replicas",
        maxReplicas,
        "an integer >= min_replicas (" + minReplicas + ")");
    v.throwIfAny();
  }

  /**
   * A builder; model and endpoint name are required; one replica on the provider's default machine.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link DeploySpec}. */
  public static final class Builder {
    private ModelRef model;
    private String endpointName;
    private MachineSpec machine = MachineSpec.providerDefault();
    private int minReplicas = 1;
    private int maxReplicas = 1;

    private Builder() {}

    public Builder model(ModelRef value) {
      model = value;
      return this;
    }

    public Builder endpointName(String value) {
      endpointName = value;
      return this;
    }

    public Builder machine(MachineSpec value) {
      machine = value;
      return this;
    }

    public Builder minReplicas(int value) {
      minReplicas = value;
      return this;
    }

    public Builder maxReplicas(int value) {
      maxReplicas = value;
      return this;
    }

    public DeploySpec build() {
      return new DeploySpec(model, endpointName, machine, minReplicas, maxReplicas);
    }
  }
}
