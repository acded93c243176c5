package dev.tune.trainer.plan;

import dev.tune.core.error.QuotaException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A run refused before it starts because its estimated peak memory exceeds the devices: a capacity
 * shortage (exit code 5), with the machines it would fit on.
 */
public final class RunDoesNotFitException extends QuotaException {

  private final transient RunPlan plan;
  private final transient List<InstanceOption> alternatives;

  public RunDoesNotFitException(RunPlan plan, List<InstanceOption> alternatives) {
    super(
        "the run does not fit: " + plan.placement().reason().orElse("no placement was found"),
        fix(alternatives));
    this.plan = plan;
    this.alternatives = List.copyOf(alternatives);
  }

  public RunPlan plan() {
    return plan;
  }

  /** Machines the run fits on, cheapest first. */
  public List<InstanceOption> alternatives() {
    return alternatives;
  }

  private static String fix(List<InstanceOption> alternatives) {
    String base =
        "lower max_seq_length or per_device_train_batch_size, turn on gradient_checkpointing, or"
            + " use more or larger GPUs";
    if (alternatives.isEmpty()) {
      return base + " (no machine in the instance table fits it)";
    }
    return base
        + "; it fits on "
        + alternatives.stream()
            .limit(5)
            .map(o -> o.instance().name())
            .collect(Collectors.joining(", "))
        + " (cheapest first; tune plan lists them with prices)";
  }
}
