package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.trainer.loss.CausalLmLoss;
import dev.tune.trainer.loss.TokenLossSum;
import dev.tune.trainer.model.AttentionContext;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.DecoderModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The forward and backward passes of one micro-batch, run layer by layer over a {@link CausalLm}.
 *
 * <p>Without checkpointing the whole pass is recorded and backpropagated at once. With gradient
 * checkpointing (DJL has no checkpoint API, so this is it): the decoder layers first run without
 * recording, keeping only each layer's input; the head (final norm, {@code lm_head}, loss) then
 * runs recorded and backpropagates to the last hidden state; then, from the last layer to the
 * first, each layer is recomputed recorded from its saved input and backpropagated with the
 * gradient of its output ({@code sum(output ⊙ upstream)}), which accumulates the LoRA gradients and
 * yields the gradient of its input for the layer below. At most one layer's activations are alive
 * at a time, at the price of a second forward pass through the layers.
 *
 * <p>The engine is reseeded before every layer runs (see {@link StepSeeds}), so recomputation draws
 * the same dropout masks as the first pass.
 */
final class TrainingGraph {

  private final CausalLm model;
  private final DecoderModel body;
  private final boolean checkpointing;
  private final StepSeeds seeds;

  TrainingGraph(CausalLm model, boolean checkpointing, StepSeeds seeds) {
    this.model = model;
    this.body = model.model();
    this.checkpointing = checkpointing;
    this.seeds = seeds;
  }

  /**
   * Runs micro-batch {@code micro} of optimizer step {@code step} forward and backward, adding
   * {@code multiplier · d(loss sum)/dθ} to each trainable parameter's gradient.
   *
   * @param multiplier a 0-dim float32 CPU array (the loss scale over the step's trained tokens)
   * @return the summed (unscaled) token loss, detached, a float32 scalar on the device
   */
  NDArray forwardBackward(DeviceBatch batch, NDArray multiplier, long step, int micro) {
    AttentionContext context = context(batch);
    return checkpointing
        ? checkpointed(batch, context, multiplier, step, micro)
        : recorded(batch, context, multiplier, step, micro);
  }

  /** The summed token loss and token count of a batch, without recording (evaluation). */
  TokenLossSum loss(DeviceBatch batch) {
    return Autograd.unrecorded(
        () -> {
          AttentionContext context = context(batch);
          NDArray h = body.embed(batch.inputIds());
          for (int i = 0; i < body.numLayers(); i++) {
            NDArray next = unrecordedLayer(i, h, context, owner(batch));
            h.close();
            h = next;
          }
          return head(h, batch.labels());
        });
  }

  /**
   * Layer {@code i}, unrecorded, with its temporaries freed as it returns (not at the end of the
   * step), so an unrecorded pass holds one layer's activations at a time. The caller closes the
   * result.
   */
  private NDArray unrecordedLayer(int i, NDArray h, AttentionContext context, NDManager owner) {
    return Autograd.unrecorded(
        () -> {
          try (NDScope layerScope = new NDScope()) {
            layerScope.suppressNotUsedWarning();
            return keep(body.layer(i, h, context), owner);
          }
        });
  }

  private NDArray recorded(
      DeviceBatch batch, AttentionContext context, NDArray multiplier, long step, int micro) {
    return Autograd.recorded(
        () -> {
          NDArray h = body.embed(batch.inputIds());
          for (int i = 0; i < body.numLayers(); i++) {
            seeds.reseed(step, micro, i);
            h = body.layer(i, h, context);
          }
          NDArray sum = head(h, batch.labels()).sum();
          Autograd.backward(sum.mul(multiplier));
          NDArray loss = sum.stopGradient();
          loss.attach(owner(batch));
          return loss;
        });
  }

  private NDArray checkpointed(
      DeviceBatch batch, AttentionContext context, NDArray multiplier, long step, int micro) {
    int layers = body.numLayers();
    List<NDArray> inputs = new ArrayList<>(layers);
    NDArray last = Autograd.unrecorded(() -> body.embed(batch.inputIds()));
    for (int i = 0; i < layers; i++) {
      inputs.add(last);
      seeds.reseed(step, micro, i);
      last = unrecordedLayer(i, last, context, owner(batch));
    }
    NDArray top = last;
    NDArray[] upstreamAndLoss =
        Autograd.recorded(
            () -> {
              try (NDScope headScope = new NDScope()) {
                headScope.suppressNotUsedWarning();
                top.setRequiresGradient(true);
                NDArray sum = head(top, batch.labels()).sum();
                Autograd.backward(sum.mul(multiplier));
                return new NDArray[] {
                  keep(top.getGradient(), owner(batch)), keep(sum.stopGradient(), owner(batch))
                };
              }
            });
    top.close();
    NDArray upstream = upstreamAndLoss[0];
    for (int i = layers - 1; i >= 0; i--) {
      NDArray input = inputs.get(i);
      int layer = i;
      NDArray gradient = upstream;
      NDArray below =
          Autograd.recorded(
              () -> {
                try (NDScope layerScope = new NDScope()) {
                  layerScope.suppressNotUsedWarning();
                  if (layer > 0) {
                    input.setRequiresGradient(true);
                  }
                  seeds.reseed(step, micro, layer);
                  NDArray output = body.layer(layer, input, context);
                  Autograd.backward(output, gradient);
                  return layer > 0 ? keep(input.getGradient(), owner(batch)) : null;
                }
              });
      upstream.close();
      input.close();
      upstream = below;
    }
    return upstreamAndLoss[1];
  }

  private TokenLossSum head(NDArray hidden, NDArray labels) {
    NDArray logits = model.lmHead().forward(body.finalNorm(hidden));
    return CausalLmLoss.sumAndCount(logits, labels);
  }

  private AttentionContext context(DeviceBatch batch) {
    return model.attentionContext(
        batch.inputIds().getManager(),
        batch.batch(),
        batch.seq(),
        batch.attentionMask(),
        batch.positionIds(),
        batch.sequenceIds());
  }

  /**
   * Takes an array out of the innermost scope and gives it to {@code owner} (the step's manager),
   * which frees it at the latest when the step ends. Results of ops belong to their first operand's
   * manager, which may be the model's (a norm's output is {@code weight.mul(...)}), so the owner is
   * set explicitly.
   */
  private static NDArray keep(NDArray array, NDManager owner) {
    NDScope.unregister(array);
    array.attach(owner);
    return array;
  }

  /** The manager of the micro-batch's arrays: the step's. */
  private static NDManager owner(DeviceBatch batch) {
    return batch.inputIds().getManager();
  }
}
