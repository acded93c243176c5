package dev.tune.core.train;

import java.util.Objects;

/**
 * A credential, such as a Hugging Face token. Its {@link #toString()} never shows the value, so a
 * secret can sit in records that get logged.
 *
 * @param value the credential itself; read it only to hand it to the service that needs it
 */
public record Secret(String value) {
  public Secret {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return "****";
  }
}
