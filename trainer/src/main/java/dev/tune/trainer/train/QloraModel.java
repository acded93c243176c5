package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tune.trainer.lora.LoraAdapter;
import dev.tune.trainer.lora.LoraLayers;
import dev.tune.trainer.lora.PeftAdapterDir;
import dev.tune.trainer.lora.PeftNames;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.optim.TrainableParameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;

/**
 * A base model prepared for QLoRA training: frozen (NF4 or dense) projections, float32 norms, and
 * trainable LoRA adapters, which are the only arrays that record gradients. Made by {@link
 * QloraModelPreparer}; closing it frees the model and its adapters.
 */
public final class QloraModel implements AutoCloseable {

  private final CausalLm model;
  private final LoraLayers lora;
  private final ComputePrecision precision;
  private final Set<String> quantizedModules;

  QloraModel(
      CausalLm model, LoraLayers lora, ComputePrecision precision, Set<String> quantizedModules) {
    this.model = Objects.requireNonNull(model, "model");
    this.lora = Objects.requireNonNull(lora, "lora");
    this.precision = Objects.requireNonNull(precision, "precision");
    this.quantizedModules = Set.copyOf(quantizedModules);
  }

  public CausalLm model() {
    return model;
  }

  public LoraLayers lora() {
    return lora;
  }

  public ComputePrecision precision() {
    return precision;
  }

  /** The projections whose weights are stored in NF4 (empty without quantization). */
  public Set<String> quantizedModules() {
    return quantizedModules;
  }

  /**
   * The LoRA weights under peft's names, as the optimizer updates them. All take weight decay: HF
   * Trainer exempts only biases and norm weights, and LoRA trains neither.
   */
  public List<TrainableParameter> trainableParameters() {
    List<TrainableParameter> params = new ArrayList<>();
    lora.parameters().forEach((name, array) -> params.add(TrainableParameter.of(name, array)));
    return params;
  }

  /**
   * Overwrites the adapters' weights with those saved in {@code adapterDir} (a checkpoint's), in
   * place, so everything holding the arrays (the layers, the optimizer) keeps working with them.
   *
   * @throws IllegalArgumentException if the saved adapter has other modules or shapes
   */
  public void loadAdapterWeights(Path adapterDir) {
    try (NDManager scratch = model.manager().newSubManager()) {
      SortedMap<String, LoraAdapter> saved = PeftAdapterDir.load(adapterDir, scratch).adapters();
      if (!saved.keySet().equals(lora.adapters().keySet())) {
        throw new IllegalArgumentException(
            adapterDir
                + " holds adapters for "
                + saved.keySet()
                + " but this run trains "
                + lora.adapters().keySet()
                + "; resume with the LoRA settings the checkpoint was made with");
      }
      for (Map.Entry<String, LoraAdapter> entry : lora.adapters().entrySet()) {
        LoraAdapter from = saved.get(entry.getKey());
        LoraAdapter to = entry.getValue();
        String module = entry.getKey();
        Autograd.unrecorded(
            () -> {
              copy(from.loraA(), to.loraA(), PeftNames.loraA(module), adapterDir);
              copy(from.loraB(), to.loraB(), PeftNames.loraB(module), adapterDir);
            });
      }
    }
  }

  private static void copy(NDArray from, NDArray to, String name, Path dir) {
    if (!from.getShape().equals(to.getShape())) {
      throw new IllegalArgumentException(
          dir
              + ": "
              + name
              + " has shape "
              + from.getShape()
              + " but this run's adapter has "
              + to.getShape()
              + "; resume with the LoRA settings the checkpoint was made with");
    }
    from.copyTo(to);
  }

  @Override
  public void close() {
    model.close();
  }
}
