package dev.tune.core.endpoint;

/** Where a prediction endpoint is in its life. Providers map their own states onto these. */
public enum EndpointState {
  /** Machines are being started and the model loaded. */
  CREATING,
  /** A new model or machine count is being rolled out; the old one still serves. */
  UPDATING,
  /** Serving predictions. */
  IN_SERVICE,
  /** Could not start or broke; the description's message says why. */
  FAILED,
  /** Being deleted. */
  DELETING;

  /** Whether a deployment has settled: it serves, or it failed. */
  public boolean isSettled() {
    return this == IN_SERVICE || this == FAILED;
  }
}
