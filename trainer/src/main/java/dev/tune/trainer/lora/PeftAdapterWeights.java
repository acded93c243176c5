package dev.tune.trainer.lora;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The tensors of peft's {@code adapter_model.safetensors}, to and from adapters: {@code
 * base_model.model.<module>.lora_A.weight} ({@code [r, in]}) and {@code ...lora_B.weight} ({@code
 * [out, r]}) for every adapted module, and nothing else.
 */
public final class PeftAdapterWeights {

  /** The file name peft uses. */
  public static final String FILE_NAME = "adapter_model.safetensors";

  private PeftAdapterWeights() {}

  /** The tensors to save, under peft's names, in module order. */
  public static Map<String, NDArray> tensors(LoraLayers layers) {
    return layers.parameters();
  }

  /**
   * Pairs the tensors of an adapter file into adapters, by module name.
   *
   * @throws IllegalArgumentException on a tensor that is not a LoRA A or B weight (a saved module,
   *     a DoRA magnitude, an embedding adapter), on a half without its other half, or on shapes
   *     that do not fit {@code config}'s rank
   */
  public static SortedMap<String, LoraAdapter> adapters(
      Map<String, NDArray> tensors, LoraConfig config) {
    SortedMap<String, NDArray> as = new TreeMap<>();
    SortedMap<String, NDArray> bs = new TreeMap<>();
    List<String> foreign = new ArrayList<>();
    tensors.forEach(
        (name, array) ->
            PeftNames.parse(name)
                .ifPresentOrElse(
                    key -> (key.part() == PeftNames.Part.A ? as : bs).put(key.module(), array),
                    () -> foreign.add(name)));
    if (!foreign.isEmpty()) {
      throw new IllegalArgumentException(
          "the adapter holds tensors other than LoRA weights: "
              + foreign.stream().sorted().toList()
              + "; tune loads plain LoRA adapters whose tensors are named"
              + " base_model.model.<module>.lora_A.weight / .lora_B.weight");
    }
    if (!as.keySet().equals(bs.keySet())) {
      List<String> unpaired = new ArrayList<>();
      as.keySet().stream()
          .filter(m -> !bs.containsKey(m))
          .forEach(m -> unpaired.add(PeftNames.loraB(m)));
      bs.keySet().stream()
          .filter(m -> !as.containsKey(m))
          .forEach(m -> unpaired.add(PeftNames.loraA(m)));
      throw new IllegalArgumentException("the adapter lacks " + unpaired);
    }
    if (as.isEmpty()) {
      throw new IllegalArgumentException("the adapter holds no LoRA weights");
    }
    SortedMap<String, LoraAdapter> adapters = new TreeMap<>();
    as.forEach(
        (module, a) -> {
          try {
            adapters.put(module, LoraAdapter.of(a, bs.get(module), config));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(module + ": " + e.getMessage(), e);
          }
        });
    return adapters;
  }
}
