package dev.tune.gcp.gcs;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.tune.core.artifact.GcsUri;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.storage.BucketLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the objects a {@code gs://} location stands for. A name that names an object is that
 * object; any other name, and one ending in {@code /}, is a prefix ("folder") whose objects are all
 * taken, except the empty {@code .../} placeholders that consoles create for folders.
 */
final class GcsListing {
  private final Storage client;
  private final GcsErrors errors;

  GcsListing(Storage client, GcsErrors errors) {
    this.client = client;
    this.errors = errors;
  }

  /**
   * The objects at {@code uri}.
   *
   * @throws NotFoundException if there is neither an object nor a prefix with objects
   */
  List<GcsObject> at(GcsUri uri) {
    String name = uri.object();
    try {
      if (!BucketLayout.isPrefixOnly(name)) {
        Blob blob = client.get(BlobId.of(uri.bucket(), name));
        if (blob != null) {
          return List.of(object(blob, BucketLayout.fileName(name)));
        }
      }
      String prefix = BucketLayout.prefixOf(name);
      List<GcsObject> below = new ArrayList<>();
      for (Blob blob :
          client.list(uri.bucket(), Storage.BlobListOption.prefix(prefix)).iterateAll()) {
        if (blob.getName().endsWith("/")) {
          continue;
        }
        below.add(object(blob, blob.getName().substring(prefix.length())));
      }
      if (below.isEmpty()) {
        throw BucketLayout.nothingAt(uri, name, "gcloud storage ls");
      }
      return below;
    } catch (StorageException e) {
      throw errors.map(e, "listing", uri);
    }
  }

  private static GcsObject object(BlobInfo blob, String path) {
    Long generation = blob.getGeneration();
    Long size = blob.getSize();
    return new GcsObject(
        blob.getName(),
        path,
        size == null ? 0 : size,
        generation == null ? 0 : generation,
        Optional.ofNullable(blob.getMd5()),
        Optional.ofNullable(blob.getCrc32c()),
        Optional.ofNullable(blob.getUpdateTimeOffsetDateTime())
            .map(t -> t.toInstant())
            .orElse(Instant.EPOCH));
  }
}
