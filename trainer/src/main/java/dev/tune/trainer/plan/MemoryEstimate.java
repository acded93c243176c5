package dev.tune.trainer.plan;

import java.util.List;

/**
 * The estimated device memory of a QLoRA training step, per placeable module, before placement.
 *
 * @param modules in execution order: embeddings, decoder layers, final norm and head
 * @param contextBytes the attention mask and rotary tables, needed on every device that runs a
 *     layer
 * @param runtimeBytes the fixed cost of a device in use (the CUDA context, cuBLAS workspaces, the
 *     caching allocator's slack)
 * @param hostBytes optimizer state kept in host memory (paged optimizers); not on any device
 * @param weightsBytes the frozen weights as stored, all modules together
 */
public record MemoryEstimate(
    List<ModuleMemory> modules,
    long contextBytes,
    long runtimeBytes,
    long hostBytes,
    long weightsBytes) {

  public MemoryEstimate {
    modules = List.copyOf(modules);
  }

  /** The peak of a step with every module on one device. */
  public long singleDevicePeak() {
    return devicePeak(modules);
  }

  /** The peak of a device that holds {@code held} (a run of consecutive modules). */
  public long devicePeak(List<ModuleMemory> held) {
    if (held.isEmpty()) {
      return 0;
    }
    long resident = 0;
    long working = 0;
    for (ModuleMemory m : held) {
      resident += m.residentBytes();
      working = Math.max(working, m.workingBytes());
    }
    return runtimeBytes + contextBytes + resident + working;
  }

  /** LoRA weights, gradients and optimizer moments on devices, all modules together. */
  public long adapterBytes() {
    return modules.stream().mapToLong(ModuleMemory::adapterBytes).sum();
  }
}
