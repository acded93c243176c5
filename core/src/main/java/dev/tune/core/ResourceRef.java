package dev.tune.core;

/**
 * Names a job, model or endpoint at one provider. The id is the provider's own (a SageMaker name, a
 * Vertex resource name, a local directory name); tune passes it through untouched.
 */
public interface ResourceRef {
  /** The provider that owns the resource, e.g. {@code vertex}. */
  String provider();

  /** The provider's id of the resource. */
  String id();
}
