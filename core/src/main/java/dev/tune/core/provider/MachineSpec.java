package dev.tune.core.provider;

import dev.tune.core.error.Violations;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a training job or endpoint replica runs on.
 *
 * @param type the SageMaker instance type ({@code ml.g5.2xlarge}) or Vertex machine type ({@code
 *     g2-standard-8}); {@value #PROVIDER_DEFAULT} lets the provider choose
 * @param acceleratorType the Vertex accelerator ({@code NVIDIA_L4}); empty where the type implies
 *     the GPUs, as SageMaker instance types do
 * @param acceleratorCount how many accelerators of that type
 * @param spot whether to use spot (preemptible) capacity, cheaper but may be reclaimed
 */
public record MachineSpec(
    String type, Optional<String> acceleratorType, int acceleratorCount, boolean spot) {

  /** The machine type that lets the provider choose. */
  public static final String PROVIDER_DEFAULT = "default";

  private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern ACCELERATOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

  public MachineSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(acceleratorType, "acceleratorType");
    Violations v = new Violations("machine");
    v.check(TYPE.matcher(type).matches(), "type", type, "a machine or instance type name");
    acceleratorType.ifPresent(
        a ->
            v.check(
                ACCELERATOR.matcher(a).matches(),
                "accelerator_type",
                a,
                "an accelerator name such as NVIDIA_L4"));
    v.check(acceleratorCount >= 0, "accelerator_count", acceleratorCount, "an integer >= 0");
    v.check(
        acceleratorType.isEmpty() || acceleratorCount >= 1,
        "accelerator_count",
        acceleratorCount,
        "an integer >= 1 when accelerator_type is set");
    v.check(
        acceleratorType.isPresent() || acceleratorCount == 0,
        "accelerator_count",
        acceleratorCount,
        "0 unless accelerator_type is set");
    v.throwIfAny();
  }

  /** Lets the provider choose the machine. */
  public static MachineSpec providerDefault() {
    return new MachineSpec(PROVIDER_DEFAULT, Optional.empty(), 0, false);
  }

  /** Whether the provider chooses the machine. */
  public boolean isProviderDefault() {
    return type.equals(PROVIDER_DEFAULT);
  }

  /** A builder for machines of {@code type}. */
  public static Builder builder(String type) {
    return new Builder(type);
  }

  /** Builds {@link MachineSpec}; the accelerator count defaults to 1 once a type is set. */
  public static final class Builder {
    private final String type;
    private Optional<String> acceleratorType = Optional.empty();
    private Integer acceleratorCount;
    private boolean spot;

    private Builder(String type) {
      this.type = type;
    }

    public Builder accelerator(String type, int count) {
      acceleratorType = Optional.of(type);
      acceleratorCount = count;
      return this;
    }

    public Builder acceleratorType(String value) {
      acceleratorType = Optional.of(value);
      return this;
    }

    public Builder acceleratorCount(int value) {
      acceleratorCount = value;
      return this;
    }

    public Builder spot(boolean value) {
      spot = value;
      return this;
    }

    public MachineSpec build() {
      int count = acceleratorCount != null ? acceleratorCount : acceleratorType.isPresent() ? 1 : 0;
      return new MachineSpec(type, acceleratorType, count, spot);
    }
  }
}
