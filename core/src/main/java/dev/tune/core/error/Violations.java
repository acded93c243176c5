package dev.tune.core.error;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the broken rules of one spec so that all of them are reported together, not one per
 * attempt. Spec records use it in their constructors:
 *
 * <pre>{@code
 * Violations v = new Violations("LoRA settings");
 * v.check(r >= 1, "r", r, "an integer >= 1");
 * v.throwIfAny();
 * }</pre>
 */
public final class Violations {
  private final String spec;
  private final List<SpecViolation> found = new ArrayList<>();

  public Violations(String spec) {
    this.spec = spec;
  }

  /** Records a violation of {@code key} unless {@code ok}. */
  public Violations check(boolean ok, String key, Object value, String expected) {
    if (!ok) {
      found.add(new SpecViolation(key, String.valueOf(value), expected));
    }
    return this;
  }

  /** Records that required field {@code key} is not set, unless {@code present}. */
  public Violations require(boolean present, String key, String expected) {
    if (!present) {
      found.add(SpecViolation.missing(key, expected));
    }
    return this;
  }

  /** Throws an {@link InvalidSpecException} listing every recorded violation, if there is any. */
  public void throwIfAny() {
    if (!found.isEmpty()) {
      throw new InvalidSpecException(spec, found);
    }
  }
}
