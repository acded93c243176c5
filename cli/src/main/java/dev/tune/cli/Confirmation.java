package dev.tune.cli;

import dev.tune.core.error.BadInputException;

/**
 * Guards deletions: they go ahead only with {@code --yes}. An interactive prompt would need a
 * reliable terminal check, which Java 21 lacks ({@code System.console()} is not null for piped
 * input on newer JDKs), and a prompt that reads a pipe could swallow a script's input.
 */
final class Confirmation {
  private Confirmation() {}

  /**
   * Checks that {@code action} (e.g. {@code Delete endpoint bot}) was confirmed.
   *
   * @throws BadInputException without {@code --yes}
   */
  static void require(TuneCommand root, String action) {
    if (!root.yes()) {
      throw new BadInputException(
          action + " needs a confirmation: it cannot be undone.", "Add --yes to confirm.");
    }
  }
}
