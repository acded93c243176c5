package dev.tune.trainer.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A cloud machine a training job can run on, with its GPUs and its hourly price.
 *
 * @param provider {@code sagemaker} or {@code vertex}
 * @param name the instance type ({@code ml.g5.12xlarge}) or, on Vertex, the machine type, with the
 *     accelerators when the machine type alone does not fix them ({@code n1-standard-8+1xT4})
 * @param gpus how many GPUs it has
 * @param gpu the GPU model
 * @param gpuMemoryBytes memory per GPU as the driver reports it
 * @param gpuFp16Tflops one GPU's dense float16 peak, for throughput estimates
 * @param hourlyUsd the on-demand price per hour in the table's region
 * @param region where the price holds
 */
public record InstanceType(
    String provider,
    String name,
    int gpus,
    String gpu,
    long gpuMemoryBytes,
    double gpuFp16Tflops,
    double hourlyUsd,
    String region) {

  public InstanceType {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(gpu, "gpu");
    Objects.requireNonNull(region, "region");
    if (gpus < 1 || gpuMemoryBytes <= 0 || hourlyUsd < 0) {
      throw new IllegalArgumentException(
          name + ": needs at least one GPU, positive GPU memory and a price >= 0");
    }
  }

  /** One budget per GPU, {@code cuda:0} first. */
  public List<DeviceBudget> devices() {
    List<DeviceBudget> out = new ArrayList<>();
    for (int i = 0; i < gpus; i++) {
      out.add(new DeviceBudget("cuda:" + i, gpuMemoryBytes));
    }
    return out;
  }
}
