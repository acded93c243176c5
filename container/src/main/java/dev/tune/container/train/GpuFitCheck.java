package dev.tune.container.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.model.ModelPlacement;
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
 * local GPU, gets the check the SDK could not make. A run that fits trains with the plan's
 * placement, spread over the GPUs as it says.
 */
final class GpuFitCheck {
  private final FitCheck check;

  GpuFitCheck(FitCheck check) {
    this.check = check;
  }

  /**
   * Plans the run over {@code gpus} and logs the plan.
   *
   * @param config read only when there is a GPU to plan for
   * @return the placement to train with: empty without a GPU (a CPU run is not planned) and when
   *     the whole model goes on {@code cuda:0}, the trainer's default device
   * @throws dev.tune.trainer.plan.RunDoesNotFitException when the run cannot fit the GPUs
   */
  Optional<ModelPlacement> check(
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
    ModelConfig model = config.get();
    RunPlan plan = check.require(model, spec, subject, gpus);
    log.accept("memory plan: fits; " + FitCheck.summary(plan));
    List<DevicePlan> used = plan.placement().devices().stream().filter(DevicePlan::used).toList();
    for (DevicePlan device : used) {
      List<String> modules = device.modules();
      log.accept(
          "memory plan: "
              + device.device().name()
              + " holds "
              + modules.get(0)
              + (modules.size() > 1 ? " .. " + modules.get(modules.size() - 1) : ""));
    }
    if (used.size() == 1 && used.get(0).device().name().equals("cuda:0")) {
      return Optional.empty();
    }
    return Optional.of(ModelPlacement.fromDeviceMap(plan.placement().deviceMap(), model));
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
