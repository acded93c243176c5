package dev.tune.core.train;

import dev.tune.core.provider.MachineSpec;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A check that {@link dev.tune.core.Tune#train(TrainSpec, MachineSpec)} runs before it submits a
 * job, so that a run that cannot succeed on its machine is refused before any money is spent.
 *
 * <p>Implementations are found with {@link ServiceLoader}: list the class in {@code
 * META-INF/services/dev.tune.core.train.TrainPreflight} and give it a public no-argument
 * constructor. The trainer module registers one that estimates the run's GPU memory and compares it
 * with the machine's GPUs; core itself registers none, so an SDK without the trainer submits
 * unchecked.
 */
public interface TrainPreflight {

  /**
   * Judges {@code spec} on {@code machine} of {@code provider}.
   *
   * @param provider the provider's name: {@code local}, {@code sagemaker}, {@code vertex}, ...
   * @return what was concluded, including "cannot judge" (an unknown machine, a CPU run), for the
   *     user to read
   * @throws dev.tune.core.error.TuneException when the run must not be submitted, e.g. a {@link
   *     dev.tune.core.error.QuotaException} for a run that does not fit the machine; its message
   *     says why and its fix what fits
   */
  PreflightVerdict check(TrainSpec spec, String provider, MachineSpec machine);

  /** The checks visible to the thread's context class loader (or core's), in classpath order. */
  static List<TrainPreflight> discover() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return ServiceLoader.load(
            TrainPreflight.class, loader != null ? loader : TrainPreflight.class.getClassLoader())
        .stream()
        .map(ServiceLoader.Provider::get)
        .toList();
  }
}
