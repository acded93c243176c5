/**
 * The {@code gs://} storage backend: models, data sets and outputs in Google Cloud Storage, read
 * and written through {@link dev.tune.core.storage.Storage} with the official client.
 *
 * <ul>
 *   <li>{@code gs://BUCKET/NAME} is the object when one has that name; otherwise, and always for
 *       {@code gs://BUCKET/PREFIX/}, it is every object below the prefix, fetched several at once,
 *       with the fetch options' patterns applied to the paths below it.
 *   <li>Reads ask for the generation that was listed, so that an object rewritten meanwhile is not
 *       spliced; every file arrives under a temporary name and is renamed only when its size and
 *       MD5 (CRC32C for composite objects) check out; a failed fetch leaves no file. A file whose
 *       size and modification time are the object's is not fetched again, and a part file left by a
 *       killed fetch is deleted by a later one ({@link dev.tune.core.storage.SyncedDownload}).
 *   <li>Uploads are resumable uploads in 16 MiB chunks; the object appears only once complete.
 *   <li>Vertex AI mounts buckets at {@code /gcs/BUCKET/...} with Cloud Storage FUSE. There a fetch
 *       without a destination returns the mounted path when it exists, and a plain path {@code
 *       /gcs/BUCKET/NAME} in a spec is an ordinary local file (read by the {@code file} backend).
 *       Where the mount does not exist, {@link
 *       dev.tune.gcp.gcs.GcsStorageBackend#uriOfVertexMountPath} gives the {@code gs://} URI such a
 *       path stands for.
 *   <li>Credentials come from the application default chain; {@code STORAGE_EMULATOR_HOST} points
 *       tune at an emulator, without credentials.
 *   <li>Failures are {@link dev.tune.core.error.TuneException}s that name the {@code gs://}
 *       location: 404 is not-found; 401 and 403 are auth failures that name {@code gcloud auth
 *       application-default login}, {@code GOOGLE_APPLICATION_CREDENTIALS} or the role to grant;
 *       429 after the client's retries is a quota failure; 5xx after the retries is a remote
 *       failure.
 * </ul>
 */
package dev.tune.gcp.gcs;
