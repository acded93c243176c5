package dev.tune.core.train;

import dev.tune.core.error.Violations;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The LoRA adapter, in the spelling of peft's {@code LoraConfig}.
 *
 * @param r the rank of the update matrices
 * @param alpha the scaling numerator ({@code lora_alpha}); the update is scaled by alpha / r
 * @param dropout the dropout probability on the adapter input ({@code lora_dropout})
 * @param targetModules the module names to adapt, e.g. {@code q_proj}; empty means the
 *     architecture's default (as peft does), {@code [all-linear]} means every linear layer but the
 *     output head
 */
public record LoraSpec(int r, int alpha, double dropout, List<String> targetModules) {
  /** The {@code target_modules} value that selects every linear layer except the output head. */
  public static final String ALL_LINEAR = "all-linear";

  private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9_.]+");

  public LoraSpec {
    targetModules = List.copyOf(Objects.requireNonNull(targetModules, "targetModules"));
    Violations v = new Violations("LoRA settings");
    v.check(r >= 1, "r", r, "an integer >= 1");
    v.check(alpha >= 1, "alpha", alpha, "an integer >= 1");
    v.check(dropout >= 0 && dropout < 1, "dropout", dropout, "a number >= 0 and < 1");
    for (String module : targetModules) {
      v.check(
          MODULE_NAME.matcher(module).matches() || module.equals(ALL_LINEAR),
          "target_modules",
          module,
          "module names of letters, digits, '_' and '.', or " + ALL_LINEAR);
    }
    v.check(
        new HashSet<>(targetModules).size() == targetModules.size(),
        "target_modules",
        targetModules,
        "each module named once");
    v.check(
        !targetModules.contains(ALL_LINEAR) || targetModules.size() == 1,
        "target_modules",
        targetModules,
        ALL_LINEAR + " on its own");
    v.throwIfAny();
  }

  /** peft's defaults: r 8, alpha 8, no dropout, the architecture's default modules. */
  public static LoraSpec defaults() {
    return new LoraSpec(8, 8, 0.0, List.of());
  }

  /** Whether every linear layer but the output head is adapted. */
  public boolean targetsAllLinear() {
    return targetModules.equals(List.of(ALL_LINEAR));
  }
}
