package dev.tune.trainer.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.lora.LoraAdapter;
import dev.tune.trainer.quant.Nf4Tensor;
import dev.tune.trainer.safetensors.CheckpointReader;
import dev.tune.trainer.safetensors.SafetensorsDtype;
import dev.tune.trainer.safetensors.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;

/**
 * A base tensor computed only when written, in float32, then cast once to the output dtype: read,
 * optionally NF4-quantized and dequantized (as QLoRA training saw it), optionally with a LoRA
 * adapter folded in ({@code W + (B·A)·scaling}). Its arrays live in a scratch manager that is
 * closed as soon as its bytes are out, so only one tensor is in memory at a time.
 */
final class MergedTensor implements TensorSource {

  private final CheckpointReader checkpoint;
  private final String name;
  private final SafetensorsDtype outputDtype;
  private final Optional<LoraAdapter> adapter;
  private final boolean roundTripNf4;
  private final NDManager manager;

  MergedTensor(
      CheckpointReader checkpoint,
      String name,
      SafetensorsDtype outputDtype,
      Optional<LoraAdapter> adapter,
      boolean roundTripNf4,
      NDManager manager) {
    this.checkpoint = checkpoint;
    this.name = name;
    this.outputDtype = outputDtype;
    this.adapter = adapter;
    this.roundTripNf4 = roundTripNf4;
    this.manager = manager;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SafetensorsDtype dtype() {
    return outputDtype;
  }

  @Override
  public long[] shape() {
    return checkpoint.info(name).shape();
  }

  boolean merged() {
    return adapter.isPresent();
  }

  /**
   * {@code W += (B·A)·scaling} in float32, in the order and precision of peft's {@code merge}; in
   * place, so a weight costs one extra array (the delta), not three.
   */
  private static void mergeInPlace(NDArray weight, LoraAdapter lora) {
    Shape expected = new Shape(lora.outFeatures(), lora.inFeatures());
    if (!weight.getShape().equals(expected)) {
      throw new IllegalArgumentException(
          "cannot merge a LoRA adapter for a " + expected + " weight into a " + weight.getShape());
    }
    try (NDArray delta = lora.loraB().matMul(lora.loraA())) {
      delta.muli(lora.scaling());
      weight.addi(delta);
    }
  }

  @Override
  public void writeTo(WritableByteChannel out) throws IOException {
    try (NDManager scratch = manager.newSubManager()) {
      // bf16 is widened to float32 on the host by the reader; DJL never sees a bf16 array
      NDArray weight = checkpoint.load(name, scratch).toType(DataType.FLOAT32, false);
      if (roundTripNf4) {
        try (Nf4Tensor quantized = Nf4Tensor.quantize(weight, true)) {
          weight = quantized.dequantize(DataType.FLOAT32, scratch);
        }
      }
      if (adapter.isPresent()) {
        mergeInPlace(weight, adapter.get());
      }
      ByteBuffer bytes = Float32Encoding.encode(weight, outputDtype);
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
    }
  }
}
