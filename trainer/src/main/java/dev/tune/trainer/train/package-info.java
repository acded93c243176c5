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
 * </ul>
 */
package dev.tune.trainer.train;
