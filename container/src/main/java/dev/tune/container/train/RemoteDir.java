package dev.tune.container.train;

import dev.tune.core.artifact.ArtifactUri;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A local directory that stands in for a remote one the platform named (a {@code gs://} URI without
 * a Cloud Storage FUSE mount): fetched before the run when {@code fetchFirst}, uploaded after it.
 */
record RemoteDir(Path local, ArtifactUri remote, boolean fetchFirst) {
  RemoteDir {
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(remote, "remote");
  }
}
