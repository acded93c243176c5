package dev.tune.trainer.plan;

import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.model.ModelConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The check a run passes before it starts, wherever it starts: {@code tune train} against the
 * machine it asks for ({@link PlanPreflight}) and the container's train entrypoint against the GPUs
 * it sees. Both plan the run of a {@code tune.yaml} on GPUs and refuse it the same way.
 */
public final class FitCheck {

  private final RunPlanner planner;

  public FitCheck(RunPlanner planner) {
    this.planner = Objects.requireNonNull(planner, "planner");
  }

  /** A check over the built-in instance table, for GPUs. */
  public static FitCheck defaults() {
    return new FitCheck(RunPlanner.defaults());
  }

  public RunPlanner planner() {
    return planner;
  }

  /**
   * The plan of {@code spec}'s run on {@code devices} (GPUs) when it fits.
   *
   * @param subject the model on the machine, for the refusal: {@code hf://tiiuae/falcon-40b on
   *     ml.g5.2xlarge (1 x NVIDIA A10G)}
   * @throws RunDoesNotFitException naming {@code subject}, what the run needs against what each
   *     device offers, and the machines it fits on, cheapest first
   */
  public RunPlan require(
      ModelConfig config, TrainSpec spec, String subject, List<DeviceBudget> devices) {
    return require(config, spec, subject, devices, Optional.empty());
  }

  /**
   * As {@link #require(ModelConfig, TrainSpec, String, List)}, with {@code provider}'s machines
   * ({@code sagemaker}, {@code vertex}) named first among the alternatives: those the user can
   * switch to without changing providers.
   */
  public RunPlan require(
      ModelConfig config,
      TrainSpec spec,
      String subject,
      List<DeviceBudget> devices,
      Optional<String> provider) {
    RunShape shape = RunShape.of(spec, true);
    RunPlan plan = planner.plan(config, shape, devices);
    if (!plan.fits()) {
      List<InstanceOption> alternatives =
          new ArrayList<>(planner.fittingInstances(config, shape, OptionalLong.empty()));
      provider.ifPresent(
          p ->
              alternatives.sort(
                  Comparator.comparing((InstanceOption o) -> !o.instance().provider().equals(p))));
      throw new RunDoesNotFitException(subject, plan, alternatives);
    }
    return plan;
  }

  /**
   * One line for a plan that fits: each device's planned peak against its budget, e.g. {@code
   * cuda:0 14.1 GiB of 22.5 GiB (34 modules); cuda:1 unused}.
   */
  public static String summary(RunPlan plan) {
    return plan.placement().devices().stream()
        .map(
            d ->
                d.used()
                    ? d.device().name()
                        + " "
                        + Bytes.format(d.peakBytes())
                        + " of "
                        + Bytes.format(d.device().budgetBytes())
                        + " ("
                        + d.modules().size()
                        + " modules)"
                    : d.device().name() + " unused")
        .collect(Collectors.joining("; "));
  }
}
