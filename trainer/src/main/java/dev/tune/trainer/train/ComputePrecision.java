package dev.tune.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.tune.core.train.ComputeDtype;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import java.util.Objects;
import java.util.Optional;

/**
 * The dtypes a run computes and keeps its plain parameters in, and whether the loss is scaled.
 *
 * @param computeDtype the dtype of the projections' matmuls (dequantized weights, activations)
 * @param parameterDtype the dtype of embeddings, norms and biases: float32, as peft's {@code
 *     prepare_model_for_kbit_training} keeps them
 * @param lossScaling whether fp16 dynamic loss scaling guards the gradients against underflow
 * @param warning what was asked for and could not be given, for the run's log
 */
public record ComputePrecision(
    DataType computeDtype, DataType parameterDtype, boolean lossScaling, Optional<String> warning) {

  public ComputePrecision {
    Objects.requireNonNull(computeDtype, "computeDtype");
    Objects.requireNonNull(parameterDtype, "parameterDtype");
    Objects.requireNonNull(warning, "warning");
  }

  /** Float32 throughout, no scaling: what CPU training uses. */
  public static ComputePrecision float32() {
    return new ComputePrecision(DataType.FLOAT32, DataType.FLOAT32, false, Optional.empty());
  }

  /**
   * What a run on {@code device} computes in, from the spec's wish: {@code bf16}/{@code fp16} in
   * the training arguments, else the 4-bit compute dtype when quantizing, else float32.
   *
   * <ul>
   *   <li>On a CPU everything runs in float32 (libtorch's half-precision CPU kernels are slow or
   *       missing).
   *   <li>On a GPU float16 runs with dynamic loss scaling. bfloat16 becomes float16 too: DJL 0.36's
   *       PyTorch bridge aborts the JVM on any bfloat16 tensor.
   * </ul>
   */
  public static ComputePrecision resolve(
      Device device, QuantizationSpec quantization, TrainingArguments arguments) {
    ComputeDtype wanted;
    if (arguments.bf16()) {
      wanted = ComputeDtype.BFLOAT16;
    } else if (arguments.fp16()) {
      wanted = ComputeDtype.FLOAT16;
    } else if (quantization.loadIn4bit()) {
      wanted = quantization.computeDtype();
    } else {
      wanted = ComputeDtype.FLOAT32;
    }
    if (wanted == ComputeDtype.FLOAT32) {
      return float32();
    }
    String name = wanted.name().toLowerCase(java.util.Locale.ROOT);
    if (!device.isGpu()) {
      return new ComputePrecision(
          DataType.FLOAT32,
          DataType.FLOAT32,
          false,
          Optional.of(
              "compute dtype "
                  + name
                  + " was asked for, but training on the CPU runs in float32 (libtorch's"
                  + " half-precision CPU kernels are slow or missing); results match a float32"
                  + " run on a GPU, not a "
                  + name
                  + " one"));
    }
    Optional<String> warning =
        wanted == ComputeDtype.BFLOAT16
            ? Optional.of(
                "compute dtype bfloat16 was asked for, but DJL 0.36's PyTorch bridge aborts the"
                    + " JVM on bfloat16 tensors: computing in float16 with dynamic loss scaling"
                    + " instead (set fp16: true, or bnb_4bit_compute_dtype: float16, to silence"
                    + " this)")
            : Optional.empty();
    return new ComputePrecision(DataType.FLOAT16, DataType.FLOAT32, true, warning);
  }
}
