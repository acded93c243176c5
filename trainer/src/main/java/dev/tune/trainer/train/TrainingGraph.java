package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.trainer.loss.CausalLmLoss;
import dev.tune.trainer.loss.TokenLossSum;
import dev.tune.trainer.model.AttentionContext;
import dev.tune.trainer.model.AttentionContexts;
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
 * <p>A model placed over several devices (see {@link dev.tune.trainer.model.ModelPlacement}) runs
 * the same passes: the hidden state enters each layer through {@link CausalLm#enterLayer}, a copy
 * autograd sees through when the layer is on another slot; with checkpointing, the gradient of a
 * layer's input goes back to the slot below before that layer's backward. The loss is computed on
 * the head's device and its detached sum brought back to the batch's.
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
   * @return the summed (unscaled) token loss, detached, a float32 scalar on the batch's device
   */
  NDArray forwardBackward(DeviceBatch batch, NDArray multiplier, long step, int micro) {
    AttentionContexts contexts = contexts(batch);
    return checkpointing
        ? checkpointed(batch, contexts, multiplier, step, micro)
        : recorded(batch, contexts, multiplier, step, micro);
  }

  /**
   * The summed token loss and token count of a batch, without recording (evaluation), on the
   * batch's device.
   */
  TokenLossSum loss(DeviceBatch batch) {
    return Autograd.unrecorded(
        () -> {
          AttentionContexts contexts = contexts(batch);
          NDManager owner = owner(batch);
          NDArray h = body.embed(onInputDevice(batch.inputIds()));
          for (int i = 0; i < body.numLayers(); i++) {
            h = enterLayerUnrecorded(i, h, owner);
            NDArray next = unrecordedLayer(i, h, contexts.layer(i), owner);
            h.close();
            h = next;
          }
          TokenLossSum loss = head(h, batch);
          return new TokenLossSum(toBatch(loss.sum(), batch), toBatch(loss.count(), batch));
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

  /**
   * Layer {@code i}'s input on the layer's device, unrecorded; {@code h} is closed when a copy
   * replaces it.
   */
  private NDArray enterLayerUnrecorded(int i, NDArray h, NDManager owner) {
    NDArray moved = Autograd.unrecorded(() -> model.enterLayer(i, h));
    if (moved == h) {
      return h;
    }
    h.close();
    return keep(moved, owner);
  }

  private NDArray recorded(
      DeviceBatch batch, AttentionContexts contexts, NDArray multiplier, long step, int micro) {
    return Autograd.recorded(
        () -> {
          NDArray h = body.embed(onInputDevice(batch.inputIds()));
          for (int i = 0; i < body.numLayers(); i++) {
            seeds.reseed(step, micro, i);
            h = body.layer(i, model.enterLayer(i, h), contexts.layer(i));
          }
          NDArray sum = head(h, batch).sum();
          Autograd.backward(sum.mul(multiplier));
          return keep(toBatch(sum.stopGradient(), batch), owner(batch));
        });
  }

  private NDArray checkpointed(
      DeviceBatch batch, AttentionContexts contexts, NDArray multiplier, long step, int micro) {
    int layers = body.numLayers();
    NDManager owner = owner(batch);
    List<NDArray> inputs = new ArrayList<>(layers);
    NDArray last = Autograd.unrecorded(() -> body.embed(onInputDevice(batch.inputIds())));
    for (int i = 0; i < layers; i++) {
      last = enterLayerUnrecorded(i, last, owner);
      inputs.add(last);
      seeds.reseed(step, micro, i);
      last = unrecordedLayer(i, last, contexts.layer(i), owner);
    }
    NDArray top = last;
    NDArray[] upstreamAndLoss =
        Autograd.recorded(
            () -> {
              try (NDScope headScope = new NDScope()) {
                headScope.suppressNotUsedWarning();
                top.setRequiresGradient(true);
                NDArray sum = head(top, batch).sum();
                Autograd.backward(sum.mul(multiplier));
                return new NDArray[] {
                  keep(top.getGradient(), owner), keep(toBatch(sum.stopGradient(), batch), owner)
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
                  NDArray output = body.layer(layer, input, contexts.layer(layer));
                  Autograd.backward(output, gradient);
                  return layer > 0 ? keep(input.getGradient(), owner) : null;
                }
              });
      upstream.close();
      input.close();
      upstream = below == null ? null : gradientBelow(layer, below, owner);
    }
    return upstreamAndLoss[1];
  }

  /** The gradient of layer {@code i}'s input, moved to the device of the layer below. */
  private NDArray gradientBelow(int i, NDArray gradient, NDManager owner) {
    NDArray moved = Autograd.unrecorded(() -> model.gradientBeforeLayer(i, gradient));
    if (moved == gradient) {
      return gradient;
    }
    gradient.close();
    return keep(moved, owner);
  }

  /** The final norm, {@code lm_head} and loss, on the devices the placement puts them on. */
  private TokenLossSum head(NDArray hidden, DeviceBatch batch) {
    NDArray labels = batch.labels().toDevice(model.headDevice(), false);
    return CausalLmLoss.sumAndCount(model.head(hidden), labels);
  }

  private AttentionContexts contexts(DeviceBatch batch) {
    return model.attentionContexts(
        owner(batch),
        batch.batch(),
        batch.seq(),
        batch.attentionMask().map(this::onInputDevice),
        batch.positionIds().map(this::onInputDevice),
        batch.sequenceIds().map(this::onInputDevice));
  }

  /** A batch array on the embeddings' device (itself when the batch is already there). */
  private NDArray onInputDevice(NDArray array) {
    return array.toDevice(model.inputDevice(), false);
  }

  /** A detached scalar on the batch's device, where the step accumulates its losses. */
  private static NDArray toBatch(NDArray scalar, DeviceBatch batch) {
    return scalar.toDevice(batch.inputIds().getDevice(), false);
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
