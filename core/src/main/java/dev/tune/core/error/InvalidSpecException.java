package dev.tune.core.error;

import java.util.List;
import java.util.stream.Collectors;

/** A spec value was built with fields that break its rules; lists every broken rule. */
public final class InvalidSpecException extends BadInputException {
  private final String spec;
  private final List<SpecViolation> violations;

  public InvalidSpecException(String spec, List<SpecViolation> violations) {
    super(
        "Invalid "
            + spec
            + ": "
            + violations.stream().map(SpecViolation::toString).collect(Collectors.joining("; ")),
        "Change the listed values to allowed ones.");
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an InvalidSpecException needs at least one violation");
    }
    this.spec = spec;
    this.violations = List.copyOf(violations);
  }

  /** Which spec was invalid, e.g. {@code training arguments}. */
  public String spec() {
    return spec;
  }

  /** Every broken rule, in the order they were checked. */
  public List<SpecViolation> violations() {
    return violations;
  }
}
