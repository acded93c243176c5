package dev.tune.container.image;

import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.registry.RegistryCredentialsNotSentException;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Turns what Jib throws into tune's exceptions. Jib reports registry errors as exceptions whose
 * messages carry the registry's error code ({@code MANIFEST_UNKNOWN}, {@code NAME_UNKNOWN}); the
 * codes are part of the registry API, so matching them is stable across registries.
 */
final class JibFailures {
  private JibFailures() {}

  static TuneException map(
      Throwable failure, String baseImage, String baseRegistry, String target) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TuneException tune) {
        return tune;
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RegistryUnauthorizedException unauthorized) {
        boolean base = unauthorized.getImageReference().contains(repositoryOf(baseImage));
        return new RegistryAuthException(
            base ? baseRegistry : registryOf(target),
            base ? "pull " + baseImage : "push " + target,
            failure);
      }
      if (t instanceof RegistryCredentialsNotSentException
          || t instanceof RegistryAuthenticationFailedException) {
        return new RegistryAuthException(registryOf(target), "push " + target, failure);
      }
      if (t instanceof InsecureRegistryException) {
        return new BadInputException(
            "A registry of this build does not speak HTTPS: " + t.getMessage(),
            "Use an HTTPS registry; for a registry on this machine only, allow plain HTTP"
                + " (--insecure).",
            failure);
      }
      if (t instanceof UnknownHostException
          || t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof SocketTimeoutException) {
        String registry =
            t.getMessage() != null && t.getMessage().contains(baseRegistry)
                ? baseRegistry
                : registryOf(target);
        return new RegistryUnreachableException(registry, failure);
      }
    }
    String text = allMessages(failure);
    String lower = text.toLowerCase(Locale.ROOT);
    boolean aboutBase = text.contains(repositoryOf(baseImage));
    if (lower.contains("name_unknown")
        || lower.contains("repository_unknown")
        || lower.contains("does not exist in the registry")) {
      return aboutBase
          ? new BaseImageNotFoundException(baseImage, failure)
          : new RepositoryNotFoundException(target, failure);
    }
    if (aboutBase && (lower.contains("manifest_unknown") || lower.contains("not found"))) {
      return new BaseImageNotFoundException(baseImage, failure);
    }
    return new RemoteFailureException(
        "Building the image failed: " + text,
        "Run again with --verbose for the registry's full answer; if the registry is down, try"
            + " later.",
        failure);
  }

  private static String allMessages(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null) {
        if (!text.isEmpty()) {
          text.append(": ");
        }
        text.append(t.getMessage());
      }
    }
    return text.isEmpty() ? failure.toString() : text.toString();
  }

  /** The registry host of an image reference; Docker Hub when the first part is no host. */
  static String registryOf(String reference) {
    int slash = reference.indexOf('/');
    if (slash < 0) {
      return "registry-1.docker.io";
    }
    String first = reference.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals("localhost")
        ? first
        : "registry-1.docker.io";
  }

  private static String repositoryOf(String reference) {
    String withoutDigest = reference.split("@", 2)[0];
    int colon = withoutDigest.lastIndexOf(':');
    String repository =
        colon > withoutDigest.lastIndexOf('/') ? withoutDigest.substring(0, colon) : withoutDigest;
    String registry = registryOf(reference);
    return repository.startsWith(registry + "/")
        ? repository.substring(registry.length() + 1)
        : repository;
  }
}
