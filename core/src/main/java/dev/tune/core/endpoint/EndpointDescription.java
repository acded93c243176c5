package dev.tune.core.endpoint;

import dev.tune.core.EndpointRef;
import dev.tune.core.ModelRef;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider knows about a prediction endpoint at one moment.
 *
 * @param ref the endpoint
 * @param name its display name
 * @param state where it is in its life
 * @param message the provider's status detail; for a failed endpoint, why it failed
 * @param model the model it serves
 * @param url where predictions are posted, when the provider exposes one
 * @param createdAt when it was created
 */
public record EndpointDescription(
    EndpointRef ref,
    String name,
    EndpointState state,
    Optional<String> message,
    Optional<ModelRef> model,
    Optional<URI> url,
    Instant createdAt) {

  public EndpointDescription {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A builder; ref, name, state and createdAt are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this value's fields. */
  public Builder toBuilder() {
    Builder b = new Builder().ref(ref).name(name).state(state).createdAt(createdAt);
    b.message = message;
    b.model = model;
    b.url = url;
    return b;
  }

  /** Builds {@link EndpointDescription}. */
  public static final class Builder {
    private EndpointRef ref;
    private String name;
    private EndpointState state;
    private Optional<String> message = Optional.empty();
    private Optional<ModelRef> model = Optional.empty();
    private Optional<URI> url = Optional.empty();
    private Instant createdAt;

    private Builder() {}

    public Builder ref(EndpointRef value) {
      ref = value;
      return this;
    }

    public Builder name(String value) {
      name = value;
      return this;
    }

    public Builder state(EndpointState value) {
      state = value;
      return this;
    }

    public Builder message(String value) {
      message = Optional.of(value);
      return this;
    }

    public Builder model(ModelRef value) {
      model = Optional.of(value);
      return this;
    }

    public Builder url(URI value) {
      url = Optional.of(value);
      return this;
    }

    public Builder createdAt(Instant value) {
      createdAt = value;
      return this;
    }

    public EndpointDescription build() {
      return new EndpointDescription(ref, name, state, message, model, url, createdAt);
    }
  }
}
