package dev.tune.core.train;

/** The learning-rate schedule ({@code lr_scheduler_type}), as in transformers' {@code Trainer}. */
public enum LrSchedulerType {
  /** Warm up, then decay linearly to 0. */
  LINEAR,
  /** Warm up, then follow half a cosine down to 0. */
  COSINE,
  /** The same rate throughout, without warm-up. */
  CONSTANT,
  /** Warm up, then stay constant. */
  CONSTANT_WITH_WARMUP
}
