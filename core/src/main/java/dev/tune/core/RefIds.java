package dev.tune.core;

import dev.tune.core.error.BadInputException;
import java.util.Objects;

/** Checks shared by the reference records. */
final class RefIds {
  private RefIds() {}

  static void check(String kind, String provider, String id) {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(id, "id");
    if (provider.isBlank() || id.isBlank()) {
      throw new BadInputException(
          "A "
              + kind
              + " reference needs a provider and an id; got '"
              + provider
              + "', '"
              + id
              + "'.",
          "Name the " + kind + " by the id that `tune " + kind + "s list` shows.");
    }
  }
}
