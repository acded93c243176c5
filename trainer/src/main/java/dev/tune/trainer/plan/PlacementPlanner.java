package dev.tune.trainer.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Places a run's modules on devices as accelerate's {@code device_map="auto"} with {@code
 * max_memory} does, with the balance it leaves to the user done for them: modules keep their
 * execution order across the devices (embeddings on the first device used, the final norm and head
 * on the last), a decoder layer is never split, and the largest device peak is as small as the
 * budgets allow.
 *
 * <p>For a bound {@code L}, filling each device in turn with as many of the next modules as keep
 * its peak within {@code min(budget, L)} places everything if any order-keeping placement can (a
 * device's peak only grows with what it holds); the smallest such {@code L} is found by bisection.
 * A device too small for the next module is left unused.
 */
public final class PlacementPlanner {

  private PlacementPlanner() {}

  public static Placement place(MemoryEstimate estimate, List<DeviceBudget> devices) {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("no devices to place the run on");
    }
    long maxBudget = devices.stream().mapToLong(DeviceBudget::budgetBytes).max().orElseThrow();
    if (fill(estimate, devices, maxBudget) == null) {
      return new Placement(
          devices.stream().map(d -> new DevicePlan(d, List.of(), 0)).toList(),
          Optional.of(reason(estimate, devices, maxBudget)));
    }
    long low = 0;
    long high = maxBudget;
    while (low < high) {
      long mid = low + (high - low) / 2;
      if (fill(estimate, devices, mid) != null) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    List<List<ModuleMemory>> held = fill(estimate, devices, high);
    List<DevicePlan> plans = new ArrayList<>();
    for (int d = 0; d < devices.size(); d++) {
      List<ModuleMemory> on = held.get(d);
      plans.add(
          new DevicePlan(
              devices.get(d),
              on.stream().map(ModuleMemory::name).toList(),
              estimate.devicePeak(on)));
    }
    return new Placement(plans, Optional.empty());
  }

  /** The greedy fill under bound {@code limit}; {@code null} when modules are left over. */
  private static List<List<ModuleMemory>> fill(
      MemoryEstimate estimate, List<DeviceBudget> devices, long limit) {
    List<ModuleMemory> modules = estimate.modules();
    List<List<ModuleMemory>> held = new ArrayList<>();
    int next = 0;
    for (DeviceBudget device : devices) {
      long cap = Math.min(device.budgetBytes(), limit);
      List<ModuleMemory> on = new ArrayList<>();
      while (next < modules.size()) {
        on.add(modules.get(next));
        if (estimate.devicePeak(on) > cap) {
          on.remove(on.size() - 1);
          break;
        }
        next++;
      }
      held.add(on);
    }
    return next == modules.size() ? held : null;
  }

  private static String reason(
      MemoryEstimate estimate, List<DeviceBudget> devices, long maxBudget) {
    for (ModuleMemory m : estimate.modules()) {
      long alone = estimate.devicePeak(List.of(m));
      if (alone > maxBudget) {
        return String.format(
            "%s alone needs %s with the device's fixed cost, more than the largest device (%s)"
                + " offers",
            m.name(), Bytes.format(alone), Bytes.format(maxBudget));
      }
    }
    long budgets = devices.stream().mapToLong(DeviceBudget::budgetBytes).sum();
    return String.format(
        "the run needs about %s on one device (%s of weights); %d device%s with %s in all"
            + " cannot hold its layers in order",
        Bytes.format(estimate.singleDevicePeak()),
        Bytes.format(estimate.weightsBytes()),
        devices.size(),
        devices.size() == 1 ? "" : "s",
        Bytes.format(budgets));
  }
}
