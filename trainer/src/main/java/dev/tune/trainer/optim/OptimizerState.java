package dev.tune.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's state as a checkpoint stores it: named tensors (safetensors-ready, e.g. {@code
 * <param>.exp_avg}, or {@code <param>.state1} and {@code <param>.absmax1} for 8-bit moments) and a
 * small JSON document with the step counts and settings, fit for the safetensors {@code
 * __metadata__} map.
 *
 * @param metadataJson the step count and state layout of each parameter, and the optimizer's
 *     settings
 * @param tensors the state tensors by name, in a stable order
 */
public record OptimizerState(String metadataJson, Map<String, NDArray> tensors)
    implements AutoCloseable {

  /** The safetensors {@code __metadata__} key under which a checkpoint writer can keep the JSON. */
  public static final String METADATA_KEY = "optimizer_state";

  public OptimizerState {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** Closes the tensors. */
  @Override
  public void close() {
    tensors.values().forEach(NDArray::close);
  }
}
