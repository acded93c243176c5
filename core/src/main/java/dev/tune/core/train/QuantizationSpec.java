package dev.tune.core.train;

import java.util.Objects;

/**
 * How the frozen base weights are stored, in the spelling of bitsandbytes' {@code
 * BitsAndBytesConfig}.
 *
 * @param loadIn4bit whether base weights are quantized to 4 bits; {@code false} keeps them dense
 *     and makes the other fields irrelevant
 * @param quantType the 4-bit data type ({@code bnb_4bit_quant_type})
 * @param useDoubleQuant whether the per-block scales are quantized too ({@code
 *     bnb_4bit_use_double_quant})
 * @param computeDtype the data type of the matmuls ({@code bnb_4bit_compute_dtype})
 */
public record QuantizationSpec(
    boolean loadIn4bit, QuantType quantType, boolean useDoubleQuant, ComputeDtype computeDtype) {

  public QuantizationSpec {
    Objects.requireNonNull(quantType, "quantType");
    Objects.requireNonNull(computeDtype, "computeDtype");
  }

  /**
   * The QLoRA recipe: NF4, double quantization, bfloat16 compute. tune is a QLoRA tool, so this is
   * what an absent {@code quantization} section (or an absent key in it) means, unlike bitsandbytes
   * whose defaults turn quantization off.
   */
  public static QuantizationSpec qlora() {
    return new QuantizationSpec(true, QuantType.NF4, true, ComputeDtype.BFLOAT16);
  }

  /** No quantization: the base weights stay dense ({@code quantization: none}). */
  public static QuantizationSpec none() {
    return new QuantizationSpec(false, QuantType.NF4, false, ComputeDtype.BFLOAT16);
  }
}
