package dev.tune.trainer.plan;

/**
 * The device memory one placeable module needs during a training step: the unit the planner puts on
 * a device (the embeddings, one decoder layer, or the final norm with the head).
 *
 * @param name the module's name in the checkpoint ({@code model.layers.3}); a unit of two modules
 *     is named by both, joined by {@code +}
 * @param weightBytes frozen weights as stored: NF4 codes and constants, float32 norms and
 *     embeddings, the head in the compute dtype
 * @param adapterBytes LoRA weights, their gradients and the optimizer's moments kept on the device
 * @param savedBytes activations the module keeps alive from its forward until the step's backward
 *     reaches it
 * @param workingBytes the most it allocates on top while it runs (forward or backward); one module
 *     per device runs at a time, so a device needs the largest of these, not their sum
 */
public record ModuleMemory(
    String name, long weightBytes, long adapterBytes, long savedBytes, long workingBytes) {

  /** What stays on the device for the whole step. */
  public long residentBytes() {
    return weightBytes + adapterBytes + savedBytes;
  }
}
