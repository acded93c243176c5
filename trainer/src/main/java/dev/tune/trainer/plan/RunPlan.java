package dev.tune.trainer.plan;

/**
 * The answer to "will this run fit on these devices, and where does each module go".
 *
 * @param shapes the model's shapes (from its config)
 * @param run the run's shape
 * @param estimate the memory per module
 * @param placement where each module goes, or why it cannot
 */
public record RunPlan(
    ModelShapes shapes, RunShape run, MemoryEstimate estimate, Placement placement) {

  public boolean fits() {
    return placement.fits();
  }

  /** The frozen weights as stored (NF4 projections, float32 embeddings and norms, the head). */
  public long weightsBytes() {
    return estimate.weightsBytes();
  }
}
