package dev.tune.trainer.lora;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which linear layers receive a LoRA adapter, with peft's matching rules ({@code
 * check_target_module_exists} in peft's {@code tuners_utils.py}).
 *
 * <p>peft accepts three spellings of {@code target_modules}: a list of names, a single string that
 * is a regular expression matched against the whole module name, and the shorthand {@code
 * "all-linear"}.
 */
public sealed interface TargetModules {

  /** The name of the output head that {@code all-linear} leaves alone, as peft does. */
  String OUTPUT_HEAD = "lm_head";

  /** peft's shorthand for every linear layer except the output head. */
  String ALL_LINEAR_SHORTHAND = "all-linear";

  /**
   * Whether the module with this full name (e.g. {@code model.layers.0.self_attn.q_proj}) matches.
   */
  boolean matches(String moduleName);

  /**
   * The linear layers to adapt among {@code linearNames}, in the order given.
   *
   * @throws IllegalArgumentException if nothing matches, as peft refuses an adapter with no target
   */
  default List<String> select(Collection<String> linearNames) {
    List<String> selected = linearNames.stream().filter(this::matches).toList();
    if (selected.isEmpty()) {
      throw new IllegalArgumentException(
          "LoRA target_modules "
              + this
              + " match none of the model's linear layers "
              + linearNames
              + "; name layers by their last component (q_proj) or full name"
              + " (model.layers.0.self_attn.q_proj), or use \"all-linear\"");
    }
    return selected;
  }

  /** Every linear layer except {@value #OUTPUT_HEAD}. */
  static TargetModules allLinear() {
    return AllLinear.INSTANCE;
  }

  /** Layers named by a list of names; see {@link Names}. */
  static TargetModules names(List<String> names) {
    return new Names(names);
  }

  /** Layers whose whole name matches a regular expression. */
  static TargetModules regex(String regex) {
    return new Regex(regex);
  }

  /**
   * Reads peft's single-string form: {@code all-linear} (any case, as peft lowercases it) or a
   * regular expression.
   */
  static TargetModules fromString(String value) {
    if (value.toLowerCase(Locale.ROOT).equals(ALL_LINEAR_SHORTHAND)) {
      return allLinear();
    }
    return regex(value);
  }

  /** The shorthand {@code all-linear}. */
  enum AllLinear implements TargetModules {
    INSTANCE;

    @Override
    public boolean matches(String moduleName) {
      return !moduleName.equals(OUTPUT_HEAD);
    }

    @Override
    public String toString() {
      return ALL_LINEAR_SHORTHAND;
    }
  }

  /**
   * A list of names: a module matches when its full name equals one of them or ends with {@code "."
   * + name}. This covers both the short form ({@code q_proj}) and the full names that peft 0.21
   * writes after resolving {@code all-linear}.
   */
  record Names(List<String> names) implements TargetModules {
    public Names {
      names = List.copyOf(names);
      if (names.isEmpty()) {
        throw new IllegalArgumentException(
            "LoRA target_modules is an empty list; name at least one layer or use \"all-linear\"");
      }
      for (String name : names) {
        if (name.isBlank()) {
          throw new IllegalArgumentException(
              "LoRA target_modules " + names + " contains a blank name; remove it");
        }
      }
    }

    @Override
    public boolean matches(String moduleName) {
      for (String name : names) {
        if (moduleName.equals(name) || moduleName.endsWith("." + name)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return names.toString();
    }
  }

  /** A regular expression that must match the whole module name (peft's {@code re.fullmatch}). */
  record Regex(String regex) implements TargetModules {
    public Regex {
      Objects.requireNonNull(regex, "regex");
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "LoRA target_modules \""
                + regex
                + "\" is not a valid regular expression: "
                + e.getDescription(),
            e);
      }
    }

    @Override
    public boolean matches(String moduleName) {
      return Pattern.compile(regex).matcher(moduleName).matches();
    }

    @Override
    public String toString() {
      return '"' + regex + '"';
    }
  }
}
