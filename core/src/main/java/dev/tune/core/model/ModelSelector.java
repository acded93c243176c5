package dev.tune.core.model;

import dev.tune.core.error.NotFoundException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds a registered model by what a user types: the provider's id of it, {@code NAME} (the newest
 * version) or {@code NAME:VERSION}.
 */
public final class ModelSelector {
  private final String query;

  private ModelSelector(String query) {
    this.query = query;
  }

  /** A selector for {@code query}: an id, {@code NAME} or {@code NAME:VERSION}. */
  public static ModelSelector of(String query) {
    Objects.requireNonNull(query, "query");
    return new ModelSelector(query.strip());
  }

  /**
   * The model {@code query} names among {@code models} (newest first, as the providers list them).
   * An exact id wins over a name; a bare name picks the newest model of that name.
   *
   * @throws NotFoundException naming the models there are, if none matches
   */
  public ModelDescription select(List<ModelDescription> models) {
    return find(models)
        .orElseThrow(
            () ->
                new NotFoundException(
                    "No registered model matches '" + query + "'." + known(models),
                    "Name a model as NAME or NAME:VERSION, as `tune models list` shows it."));
  }

  private Optional<ModelDescription> find(List<ModelDescription> models) {
    Optional<ModelDescription> byId =
        models.stream().filter(m -> m.ref().id().equals(query)).findFirst();
    if (byId.isPresent()) {
      return byId;
    }
    Optional<ModelDescription> byDisplayName =
        models.stream().filter(m -> m.displayName().equals(query)).findFirst();
    if (byDisplayName.isPresent()) {
      return byDisplayName;
    }
    return models.stream().filter(m -> m.name().equals(query)).findFirst();
  }

  private static String known(List<ModelDescription> models) {
    if (models.isEmpty()) {
      return " The registry is empty.";
    }
    return " Registered: "
        + models.stream()
            .map(ModelDescription::displayName)
            .distinct()
            .limit(10)
            .collect(Collectors.joining(", "))
        + (models.size() > 10 ? ", ..." : "")
        + ".";
  }
}
