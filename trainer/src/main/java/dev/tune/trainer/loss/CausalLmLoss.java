package dev.tune.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Next-token cross-entropy of a causal language model, as transformers' {@code ForCausalLMLoss}
 * computes it: the logits are upcast to fp32, position {@code t} predicts label {@code t + 1}, and
 * labels equal to {@link #IGNORE_INDEX} take no part.
 *
 * <p>Built from {@code logSoftmax} and {@code gather}, which the PyTorch engine differentiates, so
 * the result can be passed to {@code GradientCollector.backward}. The intermediates are attached to
 * the logits' manager; call it inside the step's scope.
 */
public final class CausalLmLoss {

  /** The label value that marks a position without a target (prompt, padding). */
  public static final long IGNORE_INDEX = -100;

  private CausalLmLoss() {}

  /**
   * Mean cross-entropy over the non-ignored shifted labels: what {@code ForCausalLMLoss} returns
   * without {@code num_items_in_batch}. NaN when every label is ignored, as torch.
   *
   * @param logits {@code [batch, seq, vocab]}, any float type
   * @param labels {@code [batch, seq]}, int64
   * @return an fp32 scalar
   */
  public static NDArray mean(NDArray logits, NDArray labels) {
    return sumAndCount(logits, labels).mean();
  }

  /**
   * The summed cross-entropy over the non-ignored shifted labels and how many there are.
   *
   * @param logits {@code [batch, seq, vocab]}, any float type
   * @param labels {@code [batch, seq]}, int64
   */
  public static TokenLossSum sumAndCount(NDArray logits, NDArray labels) {
    checkShapes(logits, labels);
    NDArray predicting = upcast(logits).get(new NDIndex(":, :-1, :"));
    NDArray targets = labels.toType(DataType.INT64, false).get(new NDIndex(":, 1:"));
    NDArray counted = targets.neq(IGNORE_INDEX);
    // Ignored positions gather class 0 and are then masked out, so any index is in range.
    NDArray gatherIndex = targets.mul(counted.toType(DataType.INT64, false)).expandDims(-1);
    NDArray targetLogProb = predicting.logSoftmax(-1).gather(gatherIndex, -1).squeeze(-1);
    NDArray sum = targetLogProb.mul(counted.toType(DataType.FLOAT32, false)).sum().neg();
    NDArray count = counted.toType(DataType.FLOAT32, false).sum();
    return new TokenLossSum(sum, count);
  }

  /**
   * The logits in fp32, keeping the autograd graph: DJL's {@code toType} hands back a tensor
   * detached from it, so half-precision logits are promoted by adding an fp32 zero instead.
   */
  private static NDArray upcast(NDArray logits) {
    if (logits.getDataType() == DataType.FLOAT32) {
      return logits;
    }
    NDArray zero = logits.getManager().zeros(new Shape(1), DataType.FLOAT32, logits.getDevice());
    return logits.add(zero);
  }

  private static void checkShapes(NDArray logits, NDArray labels) {
    if (logits.getShape().dimension() != 3
        || labels.getShape().dimension() != 2
        || logits.getShape().get(0) != labels.getShape().get(0)
        || logits.getShape().get(1) != labels.getShape().get(1)) {
      throw new IllegalArgumentException(
          "causal LM loss needs logits [batch, seq, vocab] and labels [batch, seq] of the same"
              + " batch and seq; got logits "
              + logits.getShape()
              + " and labels "
              + labels.getShape());
    }
  }
}
