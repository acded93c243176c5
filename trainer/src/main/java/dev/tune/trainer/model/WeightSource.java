package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Set;

/** Named checkpoint tensors, as a Hugging Face model directory holds them. */
public interface WeightSource {

  /** Every tensor name the checkpoint holds. */
  Set<String> names();

  /** Loads one tensor, in its stored dtype, into {@code manager}. */
  NDArray load(String name, NDManager manager);
}
