package dev.tune.core.train;

/** The data type matrix multiplications run in ({@code bnb_4bit_compute_dtype}). */
public enum ComputeDtype {
  FLOAT32,
  BFLOAT16,
  FLOAT16
}
