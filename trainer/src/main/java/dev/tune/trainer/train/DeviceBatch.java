package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * One micro-batch on the model's device, {@code [batch, seq]} int64 each.
 *
 * @param attentionMask empty when no row is padded
 * @param positionIds each token's position within its sample; empty when no row is packed
 * @param sequenceIds the sample each token belongs to; empty when no row is packed
 */
record DeviceBatch(
    NDArray inputIds,
    NDArray labels,
    Optional<NDArray> attentionMask,
    Optional<NDArray> positionIds,
    Optional<NDArray> sequenceIds) {

  int batch() {
    return Math.toIntExact(inputIds.getShape().get(0));
  }

  int seq() {
    return Math.toIntExact(inputIds.getShape().get(1));
  }
}
