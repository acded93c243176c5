package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tune.trainer.model.LinearWeight;
import dev.tune.trainer.quant.Nf4Tensor;
import java.util.Objects;

/**
 * A frozen projection weight stored in NF4 and dequantized to the compute dtype at each use, as
 * bitsandbytes' {@code Linear4bit} does. The dequantized copy is registered with the caller's
 * {@code NDScope} and lives only as long as the forward (or, while recorded, the backward) needs
 * it.
 */
public record Nf4Weight(Nf4Tensor tensor) implements LinearWeight {

  public Nf4Weight {
    Objects.requireNonNull(tensor, "tensor");
  }

  @Override
  public NDArray dense(DataType computeDtype) {
    return tensor.dequantize(computeDtype);
  }

  @Override
  public String toString() {
    return "Nf4Weight"
        + tensor.shape()
        + (tensor.isDoubleQuantized() ? " double-quantized" : "")
        + " blocksize "
        + tensor.blocksize();
  }
}
