package dev.tune.core;

/**
 * A prediction endpoint at one provider.
 *
 * @param provider the provider that owns it, e.g. {@code sagemaker}
 * @param id the provider's id of it
 */
public record EndpointRef(String provider, String id) implements ResourceRef {
  public EndpointRef {
    RefIds.check("endpoint", provider, id);
  }

  @Override
  public String toString() {
    return provider + ":" + id;
  }
}
