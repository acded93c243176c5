package dev.tune.core;

/**
 * A training job at one provider.
 *
 * @param provider the provider that owns it, e.g. {@code sagemaker}
 * @param id the provider's id of it
 */
public record JobRef(String provider, String id) implements ResourceRef {
  public JobRef {
    RefIds.check("job", provider, id);
  }

  @Override
  public String toString() {
    return provider + ":" + id;
  }
}
