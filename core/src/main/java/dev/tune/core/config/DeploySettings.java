package dev.tune.core.config;

import dev.tune.core.ResourceName;
import dev.tune.core.error.Violations;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code deploy} section of {@code tune.yaml}.
 *
 * @param endpointName the endpoint's name; defaults to the model's {@code output.name}
 * @param model a registered model's id to deploy; empty deploys the model this file trains
 * @param minReplicas replicas kept running
 * @param maxReplicas the most replicas autoscaling may start
 */
public record DeploySettings(
    String endpointName, Optional<String> model, int minReplicas, int maxReplicas) {
  public DeploySettings {
    Objects.requireNonNull(endpointName, "endpointName");
    Objects.requireNonNull(model, "model");
    Violations v = new Violations("deploy settings");
    v.check(ResourceName.isValid(endpointName), "endpoint_name", endpointName, ResourceName.RULE);
    model.ifPresent(m -> v.check(!m.isBlank(), "model", "\"\"", "a registered model's id"));
    v.check(minReplicas >= 1, "min_replicas", minReplicas, "an integer >= 1");
    v.check(
        maxReplicas >= minReplicas,
        "max_replicas",
        maxReplicas,
        "an integer >= min_replicas (" + minReplicas + ")");
    v.throwIfAny();
  }
}
