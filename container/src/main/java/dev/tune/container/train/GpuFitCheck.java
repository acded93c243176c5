package dev.tune.container.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.plan.DeviceBudget;
import dev.tune.trainer.plan.DevicePlan;
import dev.tune.trainer.plan.FitCheck;
import dev.tune.trainer.plan.RunPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Plans the run over every GPU the job sees before any weights are fetched, and refuses one that
 * cannot fit with the same reason {@code tune train} gives: a machine the provider chose, or a
 * local GPU, gets the check the SDK could not make.
 */
final class GpuFitCheck {
  private final FitCheck check;

  GpuFitCheck(FitCheck check) {
    this.check = check;
  }

  /**
   * The run's plan over {@code gpus}, logged.
   *
   * @param config read only when there is a GPU to plan for
   * @return empty when there is no GPU: a CPU run is not planned
   * @throws dev.tune.trainer.plan.RunDoesNotFitException when the run cannot fit the GPUs
   */
  Optional<RunPlan> check(
      TrainSpec spec, Supplier<ModelConfig> config, List<DeviceBudget> gpus, Consumer<String> log) {
    if (gpus.isEmpty()) {
      log.accept("memory plan: no GPU visible, so the run is not planned");
      return Optional.empty();
    }
    String subject =
        spec.model().source()
            + " on this machine's "
            + gpus.size()
            + (gpus.size() == 1 ? " GPU" : " GPUs");
    RunPlan plan = check.require(config.get(), spec, subject, gpus);
    log.accept("memory plan: fits; " + FitCheck.summary(plan));
    for (DevicePlan device : plan.placement().devices()) {
      if (device.used()) {
        List<String> modules = device.modules();
        log.accept(
            "memory plan: "
                + device.device().name()
                + " holds "
                + modules.get(0)
                + (modules.size() > 1 ? " .. " + modules.get(modules.size() - 1) : ""));
      }
    }
    return Optional.of(plan);
  }

  /**
   * Each GPU this process sees with its total memory as the driver reports it, the figure the
   * instance table holds, so the job and {@code tune train} judge alike; empty without CUDA.
   */
  static List<DeviceBudget> visibleGpus() {
    int count = Engine.getInstance().getGpuCount();
    List<DeviceBudget> gpus = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      gpus.add(new DeviceBudget("cuda:" + i, CudaUtils.getGpuMemory(Device.gpu(i)).getMax()));
    }
    return gpus;
  }
}
