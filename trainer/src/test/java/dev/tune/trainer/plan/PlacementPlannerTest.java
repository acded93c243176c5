package dev.tune.trainer.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The planner on invented modules and devices, checked against exhaustive search. */
class PlacementPlannerTest {

  private static final long GIB = 1L << 30;

  /** Embeddings, {@code layers} equal layers, then the norm and head; 1 GiB fixed per device. */
  private static MemoryEstimate model(int layers, long layerBytes, long layerWorking) {
    List<ModuleMemory> modules = new ArrayList<>();
    modules.add(new ModuleMemory("embed", GIB, 0, 0, 0));
    for (int i = 0; i < layers; i++) {
      modules.add(new ModuleMemory("layers." + i, layerBytes, 0, 0, layerWorking));
    }
    modules.add(new ModuleMemory("norm+lm_head", GIB / 2, 0, 0, GIB));
    return new MemoryEstimate(modules, 0, GIB, 0, 0);
  }

  private static List<DeviceBudget> gpus(long... gib) {
    List<DeviceBudget> out = new ArrayList<>();
    for (long g : gib) {
      out.add(new DeviceBudget("cuda:" + out.size(), g * GIB));
    }
    return out;
  }

  @Test
  void equalDevicesShareTheLayersEvenly() {
    Placement p = PlacementPlanner.place(model(8, GIB, GIB / 2), gpus(24, 24));
    assertThat(p.fits()).isTrue();
    Map<String, String> map = p.deviceMap();
    assertThat(map.get("embed")).isEqualTo("cuda:0");
    assertThat(map.get("norm+lm_head")).isEqualTo("cuda:1");
    // 1 + 4 layers on the first, 4 layers + 0.5 on the second: the lowest possible largest load
    assertThat(p.devices().get(0).modules()).hasSize(5);
    assertThat(p.devices().get(1).modules()).hasSize(5);
    assertThat(p.largestPeak()).isEqualTo(optimum(model(8, GIB, GIB / 2), gpus(24, 24)));
  }

  @Test
  void unevenDevicesTakeLayersByTheirBudget() {
    MemoryEstimate m = model(20, GIB, GIB);
    Placement p = PlacementPlanner.place(m, gpus(8, 40));
    assertThat(p.fits()).isTrue();
    for (DevicePlan d : p.devices()) {
      assertThat(d.peakBytes()).isLessThanOrEqualTo(d.device().budgetBytes());
    }
    assertThat(p.devices().get(0).modules().size()).isLessThan(p.devices().get(1).modules().size());
    assertThat(p.largestPeak()).isEqualTo(optimum(m, gpus(8, 40)));
  }

  @Test
  void aDeviceTooSmallForAnyLayerHoldsNoLayer() {
    // cuda:0 (3 GiB) holds the embeddings (1 + 1 fixed) but no 2 GiB layer with them
    MemoryEstimate m = model(6, 2 * GIB, GIB / 2);
    Placement p = PlacementPlanner.place(m, gpus(3, 16, 16));
    assertThat(p.fits()).isTrue();
    assertThat(p.devices().get(0).modules()).allMatch(name -> !name.startsWith("layers."));
    assertThat(p.deviceMap().get("layers.0")).isNotEqualTo("cuda:0");
    assertThat(p.largestPeak()).isEqualTo(optimum(m, gpus(3, 16, 16)));

    Placement tiny = PlacementPlanner.place(m, gpus(1, 16, 16));
    assertThat(tiny.fits()).isTrue();
    assertThat(tiny.devices().get(0).used()).isFalse();
    assertThat(tiny.deviceMap().get("embed")).isEqualTo("cuda:1");
  }

  @Test
  void moreDevicesThanLayersLeavesSomeUnusedAndSplitsNoLayer() {
    MemoryEstimate m = model(2, 4 * GIB, GIB);
    Placement p = PlacementPlanner.place(m, gpus(8, 8, 8, 8, 8, 8));
    assertThat(p.fits()).isTrue();
    assertThat(p.deviceMap()).hasSize(4);
    assertThat(p.devices()).filteredOn(DevicePlan::used).hasSizeLessThanOrEqualTo(4);
    assertThat(p.devices()).filteredOn(d -> !d.used()).allMatch(d -> d.peakBytes() == 0);
    assertThat(p.largestPeak()).isEqualTo(optimum(m, gpus(8, 8, 8, 8, 8, 8)));
    assertOrderKept(m, p);
  }

  @Test
  void aLayerLargerThanEveryDeviceIsTheReason() {
    MemoryEstimate m = model(4, 30 * GIB, GIB);
    Placement p = PlacementPlanner.place(m, gpus(24, 24, 24, 24));
    assertThat(p.fits()).isFalse();
    assertThat(p.reason().orElseThrow()).contains("layers.0 alone needs 32.0 GiB", "24.0 GiB");
    assertThat(p.deviceMap()).isEmpty();
  }

  @Test
  void tooLittleMemoryInAllIsTheReason() {
    MemoryEstimate m = model(40, GIB, GIB);
    Placement p = PlacementPlanner.place(m, gpus(16, 16));
    assertThat(p.fits()).isFalse();
    assertThat(p.reason().orElseThrow()).contains("2 devices with 32.0 GiB in all");
  }

  @Test
  void matchesExhaustiveSearchOnRandomModelsAndDevices() {
    Random random = new Random(11);
    for (int trial = 0; trial < 300; trial++) {
      int layers = 1 + random.nextInt(7);
      List<ModuleMemory> modules = new ArrayList<>();
      modules.add(new ModuleMemory("embed", random.nextInt(3) * GIB, 0, 0, 0));
      for (int i = 0; i < layers; i++) {
        modules.add(
            new ModuleMemory(
                "layers." + i,
                (1 + random.nextInt(6)) * GIB,
                0,
                random.nextInt(2) * GIB,
                random.nextInt(4) * GIB));
      }
      modules.add(new ModuleMemory("head", GIB, 0, 0, random.nextInt(5) * GIB));
      MemoryEstimate m = new MemoryEstimate(modules, GIB / 4, GIB, 0, 0);
      long[] budgets = new long[1 + random.nextInt(4)];
      for (int d = 0; d < budgets.length; d++) {
        budgets[d] = 2L + random.nextInt(30);
      }
      List<DeviceBudget> devices = gpus(budgets);
      Placement p = PlacementPlanner.place(m, devices);
      long best = optimum(m, devices);
      assertThat(p.fits()).as("trial %d", trial).isEqualTo(best != Long.MAX_VALUE);
      if (p.fits()) {
        assertThat(p.largestPeak()).as("trial %d", trial).isEqualTo(best);
        assertOrderKept(m, p);
        for (DevicePlan d : p.devices()) {
          assertThat(d.peakBytes()).isLessThanOrEqualTo(d.device().budgetBytes());
        }
      }
    }
  }

  /** Modules appear in execution order over the devices, each once. */
  private static void assertOrderKept(MemoryEstimate m, Placement p) {
    List<String> flat = new ArrayList<>();
    p.devices().forEach(d -> flat.addAll(d.modules()));
    assertThat(flat)
        .containsExactlyElementsOf(m.modules().stream().map(ModuleMemory::name).toList());
  }

  /** The smallest largest peak over every order-keeping placement; MAX_VALUE when none fits. */
  private static long optimum(MemoryEstimate m, List<DeviceBudget> devices) {
    return search(m, devices, 0, 0);
  }

  private static long search(MemoryEstimate m, List<DeviceBudget> devices, int device, int next) {
    int n = m.modules().size();
    if (next == n) {
      return 0;
    }
    if (device == devices.size()) {
      return Long.MAX_VALUE;
    }
    long best = Long.MAX_VALUE;
    for (int end = next; end <= n; end++) {
      long peak = m.devicePeak(m.modules().subList(next, end));
      if (peak > devices.get(device).budgetBytes()) {
        break;
      }
      long rest = search(m, devices, device + 1, end);
      if (rest != Long.MAX_VALUE) {
        best = Math.min(best, Math.max(peak, rest));
      }
    }
    return best;
  }
}
