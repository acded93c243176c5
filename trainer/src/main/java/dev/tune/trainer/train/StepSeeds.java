package dev.tune.trainer.train;

import ai.djl.engine.Engine;
import java.util.SplittableRandom;

/**
 * The engine's random generator (LoRA dropout) is reseeded from the run's seed, the optimizer step,
 * the micro-batch and the decoder layer before each layer runs. Two things follow: a resumed run
 * draws exactly what an uninterrupted one drew without saving the generator's state, and gradient
 * checkpointing's recomputation of a layer draws the same dropout masks as its first pass (what
 * torch's checkpoint achieves by stashing the RNG state).
 */
final class StepSeeds {

  private final long seed;

  StepSeeds(long seed) {
    this.seed = seed;
  }

  /**
   * Reseeds the engine for {@code layer} of micro-batch {@code micro} of optimizer step {@code
   * step}.
   */
  void reseed(long step, int micro, int layer) {
    Engine.getInstance().setRandomSeed(seedFor(step, micro, layer));
  }

  /** A non-negative seed mixed from the run's seed and the three coordinates. */
  int seedFor(long step, int micro, int layer) {
    long h = mix(seed);
    h = mix(h ^ step);
    h = mix(h ^ micro);
    h = mix(h ^ layer);
    return (int) (h >>> 33);
  }

  /** splitmix64, through the JDK's implementation of it. */
  private static long mix(long x) {
    return new SplittableRandom(x).nextLong();
  }
}
