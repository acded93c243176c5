package dev.tune.gcp.gcs;

import dev.tune.core.artifact.GcsUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Vertex AI mounts Cloud Storage at {@code /gcs} with Cloud Storage FUSE: {@code gs://BUCKET/NAME}
 * is the file {@code /gcs/BUCKET/NAME} inside its jobs. Reading through the mount saves a copy, so
 * a fetch without a destination returns the mounted path when it exists; elsewhere (or off Vertex)
 * a {@code /gcs/...} path is turned back into its {@code gs://} URI.
 *
 * @param root where the mount is, {@code /gcs} on Vertex
 */
record VertexFuse(Path root) {
  /** The mount as Vertex makes it. */
  static final Path DEFAULT_ROOT = Path.of("/gcs");

  /** The mounted file or directory of {@code uri}, if the mount shows it. */
  Optional<Path> mounted(GcsUri uri) {
    Path bucket = root.resolve(uri.bucket());
    Path path = uri.object().isEmpty() ? bucket : bucket.resolve(uri.object());
    return path.normalize().startsWith(bucket) && Files.exists(path)
        ? Optional.of(path)
        : Optional.empty();
  }

  /**
   * The {@code gs://} URI of a path below the mount ({@code /gcs/BUCKET/NAME} is {@code
   * gs://BUCKET/NAME}); empty for any other path.
   */
  Optional<GcsUri> uriOf(Path path) {
    Path normalized = path.toAbsolutePath().normalize();
    if (!normalized.startsWith(root) || normalized.getNameCount() <= root.getNameCount()) {
      return Optional.empty();
    }
    Path relative = root.relativize(normalized);
    String bucket = relative.getName(0).toString();
    String object =
        relative.getNameCount() == 1 ? "" : relative.subpath(1, relative.getNameCount()).toString();
    return Optional.of(new GcsUri(bucket, object.replace('\\', '/')));
  }
}
