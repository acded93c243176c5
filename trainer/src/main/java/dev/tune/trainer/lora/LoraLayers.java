package dev.tune.trainer.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tune.trainer.model.Linear;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The LoRA adapters of one model: which linear layers carry one, and their weights under peft's
 * names. What peft's {@code get_peft_model} builds, without wrapping the model.
 */
public final class LoraLayers {

  private final LoraConfig config;
  private final SortedMap<String, LoraAdapter> adapters;

  private LoraLayers(LoraConfig config, SortedMap<String, LoraAdapter> adapters) {
    this.config = config;
    this.adapters = Collections.unmodifiableSortedMap(adapters);
  }

  /**
   * Attaches fresh adapters, initialised as peft does, to the linear layers that {@code config}
   * targets.
   *
   * <p>Each adapter draws {@code A} from its own generator, split in module-name order from one
   * seeded with {@code seed}: the same seed and the same model give the same adapters.
   *
   * @param linears the model's linear layers by module name (e.g. {@code
   *     model.layers.0.self_attn.q_proj}), the output head included
   * @param manager owns the adapters' weights; it must live on the layers' device
   */
  public static LoraLayers inject(
      Map<String, Linear> linears, LoraConfig config, long seed, NDManager manager) {
    return inject(linears, config, seed, module -> manager);
  }

  /**
   * {@link #inject(Map, LoraConfig, long, NDManager)} for layers spread over devices: each adapter
   * is made in {@code managerOf.apply(module)}, which must live on that layer's device.
   */
  public static LoraLayers inject(
      Map<String, Linear> linears,
      LoraConfig config,
      long seed,
      Function<String, NDManager> managerOf) {
    List<String> targets = config.targetModules().select(linears.keySet());
    SplittableRandom root = new SplittableRandom(seed);
    SortedMap<String, LoraAdapter> adapters = new TreeMap<>();
    for (String module : targets.stream().sorted().toList()) {
      Linear linear = linears.get(module);
      requireFree(linear, module);
      adapters.put(
          module,
          LoraAdapter.initialize(
              managerOf.apply(module),
              Math.toIntExact(linear.inFeatures()),
              Math.toIntExact(linear.outFeatures()),
              config,
              root.split()));
    }
    adapters.forEach((module, adapter) -> linears.get(module).setAdapter(adapter));
    return new LoraLayers(config, adapters);
  }

  /**
   * Attaches existing adapters (read from a peft directory) to the layers they were trained for.
   *
   * @throws IllegalArgumentException if the adapters do not cover exactly the layers that {@code
   *     config} targets in this model, or a shape differs from its layer's
   */
  public static LoraLayers attach(
      Map<String, Linear> linears, LoraConfig config, Map<String, LoraAdapter> adapters) {
    List<String> targets = config.targetModules().select(linears.keySet());
    SortedMap<String, LoraAdapter> byModule = new TreeMap<>(adapters);
    if (!byModule.keySet().equals(new TreeSet<>(targets))) {
      throw new IllegalArgumentException(
          "the adapter's weights are for "
              + byModule.keySet()
              + " but its target_modules "
              + config.targetModules()
              + " select "
              + targets.stream().sorted().toList()
              + " in this model; is it an adapter for another model?");
    }
    for (Map.Entry<String, LoraAdapter> entry : byModule.entrySet()) {
      Linear linear = linears.get(entry.getKey());
      LoraAdapter adapter = entry.getValue();
      requireFree(linear, entry.getKey());
      if (adapter.inFeatures() != linear.inFeatures()
          || adapter.outFeatures() != linear.outFeatures()) {
        throw new IllegalArgumentException(
            entry.getKey()
                + ": the adapter maps "
                + adapter.inFeatures()
                + " to "
                + adapter.outFeatures()
                + " features but the layer maps "
                + linear.inFeatures()
                + " to "
                + linear.outFeatures()
                + "; is it an adapter for another model?");
      }
    }
    byModule.forEach((module, adapter) -> linears.get(module).setAdapter(adapter));
    return new LoraLayers(config, byModule);
  }

  private static void requireFree(Linear linear, String module) {
    Objects.requireNonNull(linear, module);
    if (linear.adapter().isPresent()) {
      throw new IllegalArgumentException(
          module + " already carries a LoRA adapter; tune attaches one adapter per layer");
    }
  }

  public LoraConfig config() {
    return config;
  }

  /** The adapters by module name, sorted. */
  public SortedMap<String, LoraAdapter> adapters() {
    return adapters;
  }

  /**
   * The trainable weights under peft's names ({@code base_model.model.<module>.lora_A.weight},
   * {@code ...lora_B.weight}), in module order, {@code A} before {@code B}.
   */
  public Map<String, NDArray> parameters() {
    Map<String, NDArray> parameters = new LinkedHashMap<>();
    adapters.forEach(
        (module, adapter) -> {
          parameters.put(PeftNames.loraA(module), adapter.loraA());
          parameters.put(PeftNames.loraB(module), adapter.loraB());
        });
    return Collections.unmodifiableMap(parameters);
  }

  /** The number of trainable values, as peft's {@code print_trainable_parameters} counts them. */
  public long parameterCount() {
    long count = 0;
    for (NDArray parameter : parameters().values()) {
      count += parameter.size();
    }
    return count;
  }

  /** Turns the adapters' dropout on (training) or off (evaluation). */
  public void setTraining(boolean training) {
    adapters.values().forEach(adapter -> adapter.setTraining(training));
  }

  /** Whether the adapters' weights record gradients. */
  public void setTrainable(boolean trainable) {
    adapters.values().forEach(adapter -> adapter.setTrainable(trainable));
  }

  /** Detaches the adapters from their layers, leaving the base model as it was. */
  public void detach(Map<String, Linear> linears) {
    adapters.forEach(
        (module, adapter) -> {
          Linear linear = linears.get(module);
          if (linear != null && linear.adapter().orElse(null) == adapter) {
            linear.removeAdapter();
          }
        });
  }
}
