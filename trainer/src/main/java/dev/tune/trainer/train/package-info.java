/**
 * QLoRA training: {@link dev.tune.trainer.train.QloraModelPreparer} loads a base model with NF4
 * projections and LoRA adapters, {@link dev.tune.trainer.train.QloraTrainer} trains the adapters as
 * transformers' {@code Trainer} would, and {@link dev.tune.trainer.train.TrainingRun} is the entry
 * the container calls with a {@code TrainSpec}.
 *
 * <p>What DJL 0.36's PyTorch engine does that shaped this package (each seen on this project's
 * machines, and each pinned by a test):
 *
 * <ul>
 *   <li>Grad mode is per thread and DJL only switches it off on the thread that loaded the engine,
 *       so the trainer sets it explicitly for every recorded or unrecorded segment.
 *   <li>{@code toType} and {@code toDevice} run under a {@code NoGradGuard}: a cast inside a
 *       recorded pass must go through {@code DifferentiableCast} or the graph is cut.
 *   <li>{@code array.mul(2.0)} wraps a temporary Java buffer that it frees at once while autograd
 *       keeps the tensor: scalars in recorded passes are {@code GraphConstant}s.
 *   <li>There is no checkpoint API; gradient checkpointing recomputes each decoder layer from its
 *       saved input and backpropagates {@code sum(output ⊙ upstream)} ({@code TrainingGraph}).
 *   <li>Any host-to-device copy from a Java buffer synchronises the device, so batches are uploaded
 *       once per logging interval and scalars for the step are 0-dim CPU tensors.
 *   <li>There is no bfloat16: a GPU run computes in float16 with dynamic loss scaling.
 *   <li>{@code toDevice} detaches like {@code toType} (the same JNI call, under the same guard),
 *       and DJL has no other device copy; a recorded pass crosses devices through {@code
 *       DeviceTransfer}, which assigns the source into a new array on the destination ({@code
 *       dst[...] = src}, libtorch's {@code copy_}, differentiable across devices).
 *   <li>libtorch refuses any CPU device but {@code cpu} ("CPU device index must be -1 or zero"), so
 *       {@code Device.cpu(1)} cannot stand in for a second device in tests.
 * </ul>
 *
 * <h2>Placement over several devices</h2>
 *
 * <p>A {@link dev.tune.trainer.model.ModelPlacement} (from a planner's {@code device_map} through
 * {@code ModelPlacement.fromDeviceMap}, or built directly) spreads the model over <em>slots</em>,
 * each with a device and its own manager. {@code QloraModelPreparer.withPlacement} loads and
 * quantizes each layer into its slot's manager and makes its LoRA adapters there; the optimizers
 * make every state with {@code zerosLike} of its parameter, so it lands on the parameter's device,
 * and the gradient clipper and the loss scaler bring per-parameter norms and flags to one device.
 * {@code TrainingGraph} runs the same passes with one slot or several: the hidden state enters each
 * layer through {@code CausalLm.enterLayer} (a {@code DeviceTransfer} when the layer is on another
 * slot), the final norm and head run on their slots, the loss on the head's device; with gradient
 * checkpointing the gradient of a layer's input is moved back to the slot below. Slots rather than
 * devices, so a plan over two slots of the one CPU runs every copy a plan over two GPUs runs: that
 * is how it is tested here ({@code PlacedTrainingTest}, exact equality with the unplaced model);
 * {@code MultiGpuPlacementTest} runs over two GPUs where a CUDA libtorch 2.7.1 sees them, and says
 * why it skipped otherwise. {@code TrainingRun.Builder.placement} takes a placement; choosing one
 * from the visible GPUs' memory is the caller's (the container entry's).
 */
package dev.tune.trainer.train;
