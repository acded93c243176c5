package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The MLP activations of the supported families, by their transformers {@code ACT2FN} names. */
public enum HiddenActivation {
  /** {@code x * sigmoid(x)}; transformers spells it {@code silu} or {@code swish}. */
  SILU("silu", "swish"),
  /** The exact (erf) GELU, transformers' {@code gelu}. */
  GELU("gelu");

  @SuppressWarnings("ImmutableEnumChecker") // an unmodifiable List.of
  private final List<String> names;

  HiddenActivation(String... names) {
    this.names = List.of(names);
  }

  public NDArray apply(NDArray x) {
    return switch (this) {
      case SILU -> x.mul(x.getNDArrayInternal().sigmoid());
      case GELU -> x.getNDArrayInternal().gelu();
    };
  }

  static HiddenActivation parse(String name, String field, String source) {
    for (HiddenActivation a : values()) {
      if (a.names.contains(name)) {
        return a;
      }
    }
    throw new ModelConfigException(
        source + ": " + field + " \"" + name + "\" is not supported",
        "use a checkpoint whose "
            + field
            + " is one of: "
            + Arrays.stream(values())
                .flatMap(a -> a.names.stream())
                .collect(Collectors.joining(", ")));
  }
}
