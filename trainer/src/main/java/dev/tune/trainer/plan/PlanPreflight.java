package dev.tune.trainer.plan;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.error.TuneException;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.PreflightVerdict;
import dev.tune.core.train.TrainPreflight;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.model.ModelConfig;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The memory check {@code tune train} runs before it submits: reads the model's {@code config.json}
 * (nothing else), looks the machine up in the instance table and refuses, with a {@link
 * RunDoesNotFitException}, a run whose estimated peak exceeds the machine's GPUs.
 *
 * <p>It lets a run through unjudged where it cannot know the GPUs: the {@code local} provider (its
 * training process checks against this machine's GPUs when it starts), a machine the provider
 * chooses, a machine missing from the table, or a model whose config cannot be read. Registered in
 * {@code META-INF/services/dev.tune.core.train.TrainPreflight}.
 */
public final class PlanPreflight implements TrainPreflight {

  private final FitCheck check;
  private final Supplier<Storage> storage;

  /** The check over the built-in instance table, with the storage backends on the classpath. */
  public PlanPreflight() {
    this(FitCheck.defaults(), Storage::discover);
  }

  /**
   * @param storage where remote models' {@code config.json} is fetched from; asked only when a
   *     model is remote and its machine is known
   */
  public PlanPreflight(FitCheck check, Supplier<Storage> storage) {
    this.check = Objects.requireNonNull(check, "check");
    this.storage = Objects.requireNonNull(storage, "storage");
  }

  @Override
  public PreflightVerdict check(TrainSpec spec, String provider, MachineSpec machine) {
    if (provider.equals("local")) {
      return PreflightVerdict.notChecked(
          "the local training process checks the fit against this machine's GPUs when it starts");
    }
    if (machine.isProviderDefault()) {
      return PreflightVerdict.notChecked(
          provider
              + " chooses the machine; the job checks the fit against its GPUs when it starts");
    }
    Optional<InstanceType> instance = instance(machine);
    if (instance.isEmpty()) {
      return PreflightVerdict.notChecked(
          machine.type()
              + " is not in tune's instance table; the job checks the fit against its GPUs when"
              + " it starts");
    }
    String model = spec.model().source().toString();
    ModelConfig config;
    try {
      // A local model's config is read in place; only a remote one needs the backends.
      ArtifactUri source = spec.model().source();
      Storage backends = source instanceof FileUri ? Storage.of(List.of()) : storage.get();
      config = ModelConfigSource.read(source, spec.model().token(), backends);
    } catch (TuneException | UncheckedIOException e) {
      return PreflightVerdict.notChecked(
          "cannot read " + model + "'s config.json to check the fit: " + e.getMessage());
    }
    InstanceType type = instance.get();
    String subject = model + " on " + type.name() + " (" + type.gpus() + " x " + type.gpu() + ")";
    RunPlan plan =
        check.require(config, spec, subject, type.devices(), Optional.of(type.provider()));
    return PreflightVerdict.fits(model + " fits " + type.name() + ": " + FitCheck.summary(plan));
  }

  /**
   * The table's entry for {@code machine}: by its type, or for a Vertex N1 machine with attached
   * GPUs by the table's {@code n1-standard-8+1xT4} form.
   */
  Optional<InstanceType> instance(MachineSpec machine) {
    InstanceCatalog catalog = check.planner().catalog();
    Optional<InstanceType> byType = catalog.find(machine.type());
    if (byType.isPresent() || machine.acceleratorType().isEmpty()) {
      return byType;
    }
    return catalog.find(
        machine.type()
            + "+"
            + machine.acceleratorCount()
            + "x"
            + gpuName(machine.acceleratorType().get()));
  }

  // NVIDIA_TESLA_T4 -> T4, NVIDIA_L4 -> L4: Vertex's accelerator names less the vendor prefix.
  private static String gpuName(String acceleratorType) {
    String name = acceleratorType.toUpperCase(Locale.ROOT);
    for (String prefix : new String[] {"NVIDIA_", "TESLA_"}) {
      if (name.startsWith(prefix)) {
        name = name.substring(prefix.length());
      }
    }
    return name;
  }
}
