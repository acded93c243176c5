package dev.tune.core.storage.http;

import dev.tune.core.train.Secret;
import java.util.Objects;

/**
 * A token sent as {@code Authorization: Bearer} to one origin only, never to a host it redirects
 * to. Its {@code toString()} does not show the token.
 *
 * @param secret the token
 * @param origin the only origin that sees it
 * @param source where it came from, for messages, e.g. {@code HF_TOKEN}
 */
public record BearerToken(Secret secret, Origin origin, String source) {
  public BearerToken {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(source, "source");
  }

  String headerValue() {
    return "Bearer " + secret.value();
  }
}
