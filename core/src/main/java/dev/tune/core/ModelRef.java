package dev.tune.core;

/**
 * A registered model at one provider.
 *
 * @param provider the provider that owns it, e.g. {@code sagemaker}
 * @param id the provider's id of it
 */
public record ModelRef(String provider, String id) implements ResourceRef {
  public ModelRef {
    RefIds.check("model", provider, id);
  }

  @Override
  public String toString() {
    return provider + ":" + id;
  }
}
