package dev.tune.core.image;

import java.util.Objects;

/**
 * A user name and password (usually a short-lived token) that a container registry accepts.
 *
 * @param username e.g. {@code AWS} for Amazon ECR, {@code oauth2accesstoken} for Artifact Registry
 * @param password the secret; never printed, {@link #toString()} leaves it out
 */
public record RegistryCredential(String username, String password) {
  public RegistryCredential {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "RegistryCredential[username=" + username + ", password=<hidden>]";
  }
}
