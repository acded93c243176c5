package dev.tune.trainer.lora;

import ai.djl.ndarray.NDArray;

/**
 * The low-rank update that a LoRA adapter adds to one frozen projection.
 *
 * <p>A {@code dev.tune.trainer.model.Linear} computes {@code x·Wᵀ (+ b)} and, when an adapter is
 * attached, adds {@code apply(x)} to it.
 */
@FunctionalInterface
public interface LoraDelta {

  /**
   * Returns the LoRA delta to add to the base output for input x.
   *
   * @param x the projection's input, shape {@code [..., in_features]}
   * @return an array of shape {@code [..., out_features]}
   */
  NDArray apply(NDArray x);
}
