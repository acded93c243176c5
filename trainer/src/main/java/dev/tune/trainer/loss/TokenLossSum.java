package dev.tune.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * The summed token cross-entropy of a batch and the number of tokens it covers, both fp32 scalars
 * on the logits' device.
 *
 * <p>Keeping the two apart lets a caller average over several micro-batches (gradient accumulation)
 * or records by the total token count, instead of averaging per-batch means, which weights short
 * batches too much.
 */
public record TokenLossSum(NDArray sum, NDArray count) {

  /** The mean loss per counted token; NaN when no token was counted, as torch's mean reduction. */
  public NDArray mean() {
    return sum.div(count);
  }

  /** This batch's sum divided by a token count that covers more than this batch. */
  public NDArray dividedBy(NDArray totalCount) {
    return sum.div(totalCount);
  }
}
