package dev.tune.trainer.plan;

import dev.tune.trainer.model.ModelConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Plans a QLoRA run before any money is spent: the memory it needs, its placement on the given
 * devices, and the catalog's machines it fits on with what it would cost there.
 */
public final class RunPlanner {

  private final InstanceCatalog catalog;
  private final ThroughputAssumption throughput;
  private final long runtimeBytes;

  /**
   * @param runtimeBytes each used device's fixed cost ({@link QloraMemoryModel#GPU_RUNTIME_BYTES}
   *     on a GPU)
   */
  public RunPlanner(InstanceCatalog catalog, ThroughputAssumption throughput, long runtimeBytes) {
    this.catalog = catalog;
    this.throughput = throughput;
    this.runtimeBytes = runtimeBytes;
  }

  /** A planner over the built-in instance table and the default assumptions, for GPUs. */
  public static RunPlanner defaults() {
    return new RunPlanner(
        InstanceCatalog.builtIn(),
        ThroughputAssumption.defaults(),
        QloraMemoryModel.GPU_RUNTIME_BYTES);
  }

  public InstanceCatalog catalog() {
    return catalog;
  }

  public ThroughputAssumption throughput() {
    return throughput;
  }

  /** The run's memory and placement on {@code devices}, fitting or not. */
  public RunPlan plan(ModelConfig config, RunShape run, List<DeviceBudget> devices) {
    MemoryEstimate estimate = QloraMemoryModel.estimate(config, run, runtimeBytes);
    return new RunPlan(
        ModelShapes.of(config), run, estimate, PlacementPlanner.place(estimate, devices));
  }

  /**
   * The plan on {@code devices} when the run fits; otherwise a refusal that carries the plan, its
   * reason and the machines it fits on. What {@code tune train} asks before it starts.
   *
   * @throws RunDoesNotFitException when it does not fit
   */
  public RunPlan check(ModelConfig config, RunShape run, List<DeviceBudget> devices) {
    RunPlan plan = plan(config, run, devices);
    if (!plan.fits()) {
      throw new RunDoesNotFitException(plan, fittingInstances(config, run, OptionalLong.empty()));
    }
    return plan;
  }

  /**
   * The catalog's machines the run fits on, cheapest run first: by estimated cost when {@code
   * tokens} is given, by hourly price otherwise.
   *
   * @param tokens the tokens the run trains on (examples times epochs times tokens per example)
   */
  public List<InstanceOption> fittingInstances(
      ModelConfig config, RunShape run, OptionalLong tokens) {
    MemoryEstimate estimate = QloraMemoryModel.estimate(config, run, runtimeBytes);
    ModelShapes shapes = ModelShapes.of(config);
    List<InstanceOption> out = new ArrayList<>();
    for (InstanceType instance : catalog.instances()) {
      Placement placement = PlacementPlanner.place(estimate, instance.devices());
      if (!placement.fits()) {
        continue;
      }
      OptionalDouble hours = OptionalDouble.empty();
      OptionalDouble cost = OptionalDouble.empty();
      if (tokens.isPresent() && instance.gpuFp16Tflops() > 0) {
        double h =
            tokens.getAsLong()
                / throughput.tokensPerSecond(shapes.parameterCount(), instance)
                / 3600;
        hours = OptionalDouble.of(h);
        cost = OptionalDouble.of(h * instance.hourlyUsd());
      }
      out.add(
          new InstanceOption(instance, new RunPlan(shapes, run, estimate, placement), hours, cost));
    }
    Comparator<InstanceOption> order =
        tokens.isPresent()
            ? Comparator.comparingDouble(o -> o.costUsd().orElse(Double.MAX_VALUE))
            : Comparator.comparingDouble(o -> o.instance().hourlyUsd());
    out.sort(order.thenComparingDouble(o -> o.instance().hourlyUsd()));
    return out;
  }
}
