package dev.tune.container.image;

import dev.tune.core.error.RemoteFailureException;

/** The registry could not be reached: no network, a wrong host name, nothing on the port. */
public final class RegistryUnreachableException extends RemoteFailureException {
  public RegistryUnreachableException(String registry, Throwable cause) {
    super(
        "Cannot reach the registry " + registry + ": " + rootMessage(cause) + ".",
        "Check the network and the registry's host name and port; a tar (--tar FILE) needs no"
            + " registry for the target, but the base image still comes from one.",
        cause);
  }

  private static String rootMessage(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.toString();
  }
}
