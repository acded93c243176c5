package dev.tune.trainer.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.tune.trainer.model.DenseWeight;
import dev.tune.trainer.model.Linear;
import dev.tune.trainer.model.LinearWeight;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Folds LoRA adapters into their layers' weights, as peft's {@code merge_and_unload()}: {@code W' =
 * W + (B·A)·scaling}, summed in float32 and cast once.
 *
 * <p>A dense base keeps its dtype. A quantized base ({@code --from-quantized}) is dequantized to
 * float32, merged, and stored dense in {@code dtypeForQuantized}: re-quantizing would throw away
 * most of what the adapter learned.
 */
public final class LoraMerger {

  private final NDManager owner;
  private final DataType dtypeForQuantized;

  /**
   * @param owner owns the merged weights; it must live where the layers compute
   * @param dtypeForQuantized the dtype of a merged weight whose base was quantized
   */
  public LoraMerger(NDManager owner, DataType dtypeForQuantized) {
    this.owner = Objects.requireNonNull(owner, "owner");
    this.dtypeForQuantized = Objects.requireNonNull(dtypeForQuantized, "dtypeForQuantized");
  }

  /**
   * Merges every adapter of {@code layers} into its layer, replaces the layer's weight with the
   * dense merged one and detaches the adapter.
   *
   * @return the replaced weights by module name; the caller owns them (they may still be shared,
   *     e.g. a tied output head, so nothing is closed here)
   */
  public Map<String, LinearWeight> mergeAndUnload(Map<String, Linear> linears, LoraLayers layers) {
    Map<String, NDArray> merged = new LinkedHashMap<>();
    layers
        .adapters()
        .forEach(
            (module, adapter) ->
                merged.put(module, mergedWeight(linear(linears, module), adapter)));
    Map<String, LinearWeight> replaced = new LinkedHashMap<>();
    merged.forEach(
        (module, weight) -> {
          Linear linear = linears.get(module);
          replaced.put(module, linear.replaceWeight(new DenseWeight(weight)));
          linear.removeAdapter();
        });
    return replaced;
  }

  /**
   * The merged weight of one layer, leaving the layer as it is: {@code W + (B·A)·scaling} in the
   * base's dtype, or in {@code dtypeForQuantized} when the base is quantized.
   */
  public NDArray mergedWeight(Linear linear, LoraAdapter adapter) {
    LinearWeight base = linear.weight();
    DataType dtype =
        base instanceof DenseWeight dense ? dense.array().getDataType() : dtypeForQuantized;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      // a quantized weight is expanded into a fresh array that the scope frees
      NDArray fp32 = base.dense(LoraAdapter.DTYPE);
      NDArray merged = adapter.mergeInto(fp32, dtype);
      NDScope.unregister(merged);
      merged.attach(owner);
      return merged;
    }
  }

  private static Linear linear(Map<String, Linear> linears, String module) {
    Linear linear = linears.get(module);
    if (linear == null) {
      throw new IllegalArgumentException(
          "the model has no linear layer " + module + " to merge its LoRA adapter into");
    }
    return linear;
  }
}
