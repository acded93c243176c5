package dev.tune.container.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Sizes libtorch's intra-op thread pool when a job trains on the CPU.
 *
 * <p>libtorch takes every core by default. Its OpenMP workers spin while they wait, so when
 * anything else wants a core (the CLI that follows the job, an endpoint, a build) a step can take
 * tens of times longer; on a 2-core machine the quickstart measured 272 s with the default pool
 * against 79 s with one thread under the same load. Half the cores leaves room for the rest of the
 * machine. {@code TUNE_CPU_THREADS} or {@code -Dai.djl.pytorch.num_threads} override it; GPUs are
 * left alone.
 */
final class CpuThreads {
  static final String ENV = "TUNE_CPU_THREADS";

  private CpuThreads() {}

  /** The pool size for this machine and environment, or empty to leave libtorch's default. */
  static OptionalInt choose(Map<String, String> env, int cores, int gpus, String property) {
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      try {
        int threads = Integer.parseInt(fromEnv.strip());
        if (threads >= 1) {
          return OptionalInt.of(threads);
        }
      } catch (NumberFormatException e) {
        // fall through to the explanation below
      }
      throw new IllegalArgumentException(
          ENV
              + "='"
              + fromEnv
              + "' is not a whole number >= 1. Set it to the number of CPU threads"
              + " training may use, or unset it.");
    }
    if (property != null || gpus > 0) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Math.max(1, cores / 2));
  }

  /** Applies {@link #choose} to this process. */
  static void apply(Map<String, String> env) {
    OptionalInt threads =
        choose(
            env,
            Runtime.getRuntime().availableProcessors(),
            Engine.getInstance().getGpuCount(),
            System.getProperty("ai.djl.pytorch.num_threads"));
    threads.ifPresent(JniUtils::setNumThreads);
  }
}
