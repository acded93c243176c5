package dev.tune.container.image;

import java.time.Duration;
import java.util.List;

/**
 * What {@link ImageBuilder#build} made.
 *
 * @param reference the target as given, e.g. {@code registry/repo:tag}, or the tar's image name
 * @param digest the manifest digest, {@code sha256:...}: pull by {@code reference@digest}
 * @param imageId the digest of the image's config, as {@code docker images} shows it
 * @param tags every tag the image got
 * @param pushed whether it went to a registry (false for a tar)
 * @param layers the layers tune added, from the least to the most often changed
 * @param elapsed how long the build and push took
 */
public record ImageBuildResult(
    String reference,
    String digest,
    String imageId,
    List<String> tags,
    boolean pushed,
    List<LayerSummary> layers,
    Duration elapsed) {
  public ImageBuildResult {
    tags = List.copyOf(tags);
    layers = List.copyOf(layers);
  }

  /** The reference pinned to the digest, e.g. {@code registry/repo@sha256:...}. */
  public String pinnedReference() {
    int tag = reference.lastIndexOf(':');
    String repository = tag > reference.lastIndexOf('/') ? reference.substring(0, tag) : reference;
    return repository + "@" + digest;
  }

  /**
   * One layer tune added.
   *
   * @param name {@code jre}, {@code dependencies}, {@code resources} or {@code project}
   * @param files how many files and directories it holds
   * @param bytes the size of those files before compression
   */
  public record LayerSummary(String name, int files, long bytes) {}
}
