package dev.tune.trainer.plan;

import dev.tune.core.error.QuotaException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A run refused before it starts because its estimated peak memory exceeds the devices: a capacity
 * shortage (exit code 5), with the machines it would fit on.
 */
public final class RunDoesNotFitException extends QuotaException {

  private final transient RunPlan plan;
  private final transient List<InstanceOption> alternatives;

  public RunDoesNotFitException(RunPlan plan, List<InstanceOption> alternatives) {
    this("the run", plan, alternatives);
  }

  /**
   * @param subject what was refused, for the message: {@code falcon-40b on ml.g5.2xlarge (1 x
   *     NVIDIA A10G)}
   */
  public RunDoesNotFitException(String subject, RunPlan plan, List<InstanceOption> alternatives) {
    super(
        subject
            + " does not fit: "
            + plan.placement().reason().orElse("no placement was found")
            + offered(plan),
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

  // What each device offered, so the message sets the need against it.
  private static String offered(RunPlan plan) {
    return plan.placement().devices().stream()
        .map(d -> d.device().name() + " " + Bytes.format(d.device().budgetBytes()))
        .collect(Collectors.joining(", ", " (offered: ", ")"));
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
            .map(
                o ->
                    String.format(
                        Locale.ROOT, "%s ($%.2f/h)", o.instance().name(), o.instance().hourlyUsd()))
            .collect(Collectors.joining(", "))
        + " (cheapest first; tune plan lists them with prices)";
  }
}
