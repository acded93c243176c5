package dev.tune.trainer.model;

import ai.djl.ndarray.NDManager;

/** Builds models on random weights for tests outside this package. */
public final class CausalLmTestSupport {

  private CausalLmTestSupport() {}

  /** The fixture's architecture with seeded random weights. */
  public static CausalLm randomModel(String fixture, NDManager manager) {
    return CausalLmTest.randomModel(CausalLmTest.config(fixture), manager);
  }
}
