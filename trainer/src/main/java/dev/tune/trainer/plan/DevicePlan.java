package dev.tune.trainer.plan;

import java.util.List;

/**
 * What one device holds under a placement and the peak it will reach.
 *
 * @param device the device and its budget
 * @param modules the modules placed on it, in execution order (empty when unused)
 * @param peakBytes the estimated peak of a training step on it (0 when unused)
 */
public record DevicePlan(DeviceBudget device, List<String> modules, long peakBytes) {

  public DevicePlan {
    modules = List.copyOf(modules);
  }

  public boolean used() {
    return !modules.isEmpty();
  }
}
