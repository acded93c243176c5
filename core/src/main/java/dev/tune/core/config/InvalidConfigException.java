package dev.tune.core.config;

import dev.tune.core.error.BadInputException;
import java.util.List;
import java.util.stream.Collectors;

/** A {@code tune.yaml} has problems; all of them are listed, ordered by position. */
public final class InvalidConfigException extends BadInputException {
  private final List<ConfigProblem> problems;

  public InvalidConfigException(String file, List<ConfigProblem> problems) {
    super(
        file
            + " has "
            + (problems.size() == 1 ? "1 problem" : problems.size() + " problems")
            + ":\n"
            + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")),
        "Fix the listed keys and values; `tune init` writes a commented example.");
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, ordered by line and column. */
  public List<ConfigProblem> problems() {
    return problems;
  }
}
