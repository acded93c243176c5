package dev.tune.core.storage.hf;

import dev.tune.core.artifact.HfUri;
import dev.tune.core.error.TuneException;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FileLocks;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.LocalFiles;
import dev.tune.core.storage.Transfers;
import dev.tune.core.storage.http.BearerToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Brings the files of one commit into the cache, a bounded number at once. A file already in the
 * snapshot costs no request; one whose content another commit brought costs a HEAD; the rest are
 * downloaded into {@code BLOB.incomplete} (resumed with {@code Range} if an earlier try left one),
 * checked against the Hub's id and renamed into place.
 */
final class SnapshotDownload {
  private final HubApi api;
  private final HubCache.Repo cache;
  private final HfUri repo;
  private final String commit;
  private final Optional<BearerToken> token;
  private final HubErrors errors;
  private final ProgressListener listener;

  SnapshotDownload(
      HubApi api,
      HubCache.Repo cache,
      HfUri repo,
      String commit,
      Optional<BearerToken> token,
      HubErrors errors,
      ProgressListener listener) {
    this.api = api;
    this.cache = cache;
    this.repo = repo;
    this.commit = commit;
    this.token = token;
    this.errors = errors;
    this.listener = listener;
  }

  /** Fetches {@code paths} (repository paths), at most {@code parallelism} at once. */
  void fetchAll(List<String> paths, int parallelism) {
    Transfers.runAll(
        paths.stream().<Runnable>map(path -> () -> fetchOne(path)).toList(),
        parallelism,
        "fetching " + repo);
  }

  private void fetchOne(String path) {
    FileProgress progress = new FileProgress(repo.resolve(path), listener);
    Path link = cache.file(commit, path);
    try {
      if (Files.exists(link)) {
        progress.cached(Files.size(link));
        return;
      }
      HubErrors fileErrors = errors.forFile(path);
      HubApi.FileMetadata meta = api.metadata(repo, commit, path, token, fileErrors);
      String blobName = HubCache.blobName(meta.etag());
      Path blob = cache.blob(blobName);
      boolean downloaded =
          FileLocks.withLock(
              cache.lock(blobName),
              () -> {
                if (Files.exists(blob)) {
                  return false;
                }
                Path incomplete = cache.incomplete(blobName);
                api.download(repo, path, meta, incomplete, token, fileErrors, progress);
                try {
                  if (!meta.weak()) {
                    BlobCheck.verify(incomplete, meta.etag(), path + " of " + repo);
                  }
                } catch (TuneException damaged) {
                  Files.deleteIfExists(incomplete);
                  throw damaged;
                }
                LocalFiles.moveInto(incomplete, blob);
                return true;
              });
      cache.link(commit, path, blobName);
      if (downloaded) {
        progress.done(Files.size(blob));
      } else {
        progress.cached(Files.size(blob));
      }
    } catch (IOException e) {
      throw LocalFiles.failure("storing " + path + " of " + repo + " in " + cache.dir(), e);
    }
  }
}
