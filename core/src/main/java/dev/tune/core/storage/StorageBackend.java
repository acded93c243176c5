package dev.tune.core.storage;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.progress.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The service provider interface of a place that artifacts are read from and written to, chosen by
 * URI scheme. A module registers its implementation in {@code
 * META-INF/services/dev.tune.core.storage.StorageBackend}; {@link Storage} finds it with {@link
 * java.util.ServiceLoader}. Core brings {@code file}, {@code https} and {@code hf}; {@code
 * tune-cloud-aws} adds {@code s3} and {@code tune-cloud-gcp} adds {@code gs}.
 *
 * <p>Implementations need a public no-argument constructor that reads its settings from the
 * environment and must be cheap to construct: they are instantiated to read their {@link
 * #schemes()} even when not used. They must be safe for use by several threads at once. Every
 * failure is a {@link dev.tune.core.error.TuneException}; credentials never appear in messages.
 */
public interface StorageBackend {
  /** The URI schemes it serves, e.g. {@code [s3]}; never one that another backend serves. */
  Set<String> schemes();

  /**
   * Makes {@code source} (a file, or a directory or prefix of files) available on this machine and
   * returns its local path.
   *
   * <p>Without {@link FetchOptions#destination() a destination} the backend picks the place: the
   * path itself for a local file, a cache for remote ones (so that a second fetch moves nothing).
   * With one, the content is placed in that directory: a directory's files directly in it, a single
   * file under its own name; the path returned is then the directory, or the file in it.
   *
   * @param source a URI of one of {@link #schemes()}
   * @param options which files to take, where to put them, how many at once, which credential
   * @param listener told about each file's bytes as {@link dev.tune.core.progress.TransferProgress}
   *     events
   * @throws dev.tune.core.error.NotFoundException if nothing is at {@code source}
   * @throws dev.tune.core.error.AuthException if credentials are missing or not allowed to read it
   */
  Path fetch(ArtifactUri source, FetchOptions options, ProgressListener listener);

  /**
   * The files at {@code location}: the file itself, or every file below the directory or prefix,
   * with paths relative to it, sorted by path.
   *
   * @throws dev.tune.core.error.NotFoundException if nothing is at {@code location}
   */
  List<StoredFile> list(ArtifactUri location);

  /**
   * Copies a local file or directory so that {@code destination} is the copy: a directory's files
   * land below it, a single file becomes it. Read-only backends keep this default, which refuses.
   *
   * @return where the copy is
   * @throws BadInputException if the backend is read-only or {@code source} does not exist
   */
  default ArtifactUri upload(Path source, ArtifactUri destination, ProgressListener listener) {
    throw new BadInputException(
        destination.scheme()
            + ":// is read-only to tune: cannot upload "
            + source
            + " to "
            + destination
            + ".",
        "Upload to a place tune can write: a local path (file://), s3:// or gs://.");
  }
}
