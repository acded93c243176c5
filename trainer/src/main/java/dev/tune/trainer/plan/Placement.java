package dev.tune.trainer.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each module of a run goes, or why the run cannot be placed.
 *
 * @param devices every device offered, in order, with what it holds; when the run does not fit, the
 *     devices as offered, holding nothing
 * @param reason why the run does not fit; empty when it does
 */
public record Placement(List<DevicePlan> devices, Optional<String> reason) {

  public Placement {
    devices = List.copyOf(devices);
  }

  public boolean fits() {
    return reason.isEmpty();
  }

  /** Module name to device name, in execution order ({@code device_map}). */
  public Map<String, String> deviceMap() {
    Map<String, String> map = new LinkedHashMap<>();
    for (DevicePlan d : devices) {
      for (String module : d.modules()) {
        map.put(module, d.device().name());
      }
    }
    return map;
  }

  /** The highest planned peak of any device. */
  public long largestPeak() {
    return devices.stream().mapToLong(DevicePlan::peakBytes).max().orElse(0);
  }
}
