package dev.tune.trainer.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tune.trainer.model.Linear;
import dev.tune.trainer.safetensors.SafetensorsFile;
import dev.tune.trainer.safetensors.SafetensorsWriter;
import dev.tune.trainer.safetensors.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A LoRA adapter directory as peft's {@code save_pretrained} writes it and {@code
 * PeftModel.from_pretrained} reads it: {@code adapter_config.json} and {@code
 * adapter_model.safetensors}.
 */
public final class PeftAdapterDir {

  private PeftAdapterDir() {}

  /** An adapter read from disk, not yet attached to a model. */
  public record Loaded(LoraConfig config, SortedMap<String, LoraAdapter> adapters) {}

  /**
   * Writes {@code layers} to {@code dir} (created if needed), float32 weights under peft's names
   * with peft's metadata {@code {"format": "pt"}}.
   */
  public static void save(Path dir, LoraLayers layers) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the adapter directory " + dir, e);
    }
    List<TensorSource> tensors = new ArrayList<>();
    PeftAdapterWeights.tensors(layers)
        .forEach((name, array) -> tensors.add(TensorSource.of(name, array)));
    SafetensorsWriter.create().writeFile(dir.resolve(PeftAdapterWeights.FILE_NAME), tensors);
    AdapterConfigJson.write(dir, layers.config(), layers.adapters().keySet());
  }

  /**
   * Reads the adapter in {@code dir}; its weights go to {@code manager} (and its device), in
   * float32.
   *
   * @throws IllegalArgumentException if the config or the weights describe something tune does not
   *     implement (see {@link AdapterConfigJson}), naming the file
   */
  public static Loaded load(Path dir, NDManager manager) {
    LoraConfig config = AdapterConfigJson.read(dir);
    Path file = dir.resolve(PeftAdapterWeights.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no "
              + PeftAdapterWeights.FILE_NAME
              + " in "
              + dir
              + "; tune reads peft adapters saved with safetensors (peft's default)");
    }
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    try (SafetensorsFile weights = SafetensorsFile.open(file)) {
      for (String name : weights.names()) {
        NDArray stored = weights.load(name, manager);
        NDArray fp32 = stored.toType(LoraAdapter.DTYPE, false);
        if (fp32 != stored) {
          stored.close();
        }
        tensors.put(name, fp32);
      }
    }
    try {
      return new Loaded(config, PeftAdapterWeights.adapters(tensors, config));
    } catch (IllegalArgumentException e) {
      tensors.values().forEach(NDArray::close);
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the adapter in {@code dir} and attaches it to the model's linear layers, on {@code
   * manager} (the model's, so the weights sit on its device).
   */
  public static LoraLayers attach(Path dir, Map<String, Linear> linears, NDManager manager) {
    Loaded loaded = load(dir, manager);
    try {
      return LoraLayers.attach(linears, loaded.config(), loaded.adapters());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(dir + ": " + e.getMessage(), e);
    }
  }
}
