package dev.tune.core.train;

/**
 * The 4-bit data type of quantized weights ({@code bnb_4bit_quant_type}). Only NF4, the QLoRA data
 * type, is implemented by the trainer.
 */
public enum QuantType {
  NF4
}
