package dev.tune.trainer.plan;

import java.util.Locale;

/**
 * How fast a run is assumed to train, for a cost estimate before any run has been timed: a QLoRA
 * token costs about {@code flopsPerParameter} FLOPs per base parameter (forward 2, the backward
 * through frozen weights 2, a checkpointed forward again 2, and the NF4 dequantization), and the
 * GPU sustains {@code utilization} of its float16 peak. Layers placed on several GPUs run one GPU
 * at a time, so only one GPU's speed counts.
 *
 * @param utilization the sustained fraction of the float16 peak (0 to 1)
 * @param flopsPerParameter FLOPs per base parameter per trained token
 */
public record ThroughputAssumption(double utilization, double flopsPerParameter) {

  /** 20% of peak, 8 FLOPs per parameter and token. */
  public static ThroughputAssumption defaults() {
    return new ThroughputAssumption(0.20, 8);
  }

  public ThroughputAssumption {
    if (!(utilization > 0 && utilization <= 1) || !(flopsPerParameter > 0)) {
      throw new IllegalArgumentException(
          "utilization must be in (0, 1] and FLOPs per parameter positive");
    }
  }

  /** Trained tokens per second of a model of {@code parameters} on {@code instance}. */
  public double tokensPerSecond(long parameters, InstanceType instance) {
    return instance.gpuFp16Tflops() * 1e12 * utilization / (flopsPerParameter * parameters);
  }

  /** The assumption in words, for output next to the estimates it made. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "throughput assumed at %.0f%% of one GPU's float16 peak, %.0f FLOPs per parameter and"
            + " token; layers split over GPUs run one GPU at a time",
        100 * utilization,
        flopsPerParameter);
  }
}
