/**
 * The {@code s3://} storage backend: models, data sets and outputs in Amazon S3 or an S3-compatible
 * store, read and written through {@link dev.tune.core.storage.Storage}.
 *
 * <ul>
 *   <li>{@code s3://BUCKET/KEY} is the object when one has that key; otherwise, and always for
 *       {@code s3://BUCKET/PREFIX/}, it is every object below the prefix (a "directory"), fetched
 *       several at once, with the fetch options' patterns applied to the paths below it.
 *   <li>Every file arrives under a temporary name next to its target and is renamed only when its
 *       size, and the MD5 where the ETag is one, check out; a broken connection is resumed with
 *       {@code Range} and {@code If-Match}; a failed fetch leaves no file. A file whose size and
 *       modification time are the object's is not fetched again, and a part file left by a killed
 *       fetch is deleted by a later one ({@link dev.tune.core.storage.SyncedDownload}).
 *   <li>Uploads of files above 64 MiB are multipart (16 MiB parts, several at once) and aborted on
 *       failure.
 *   <li>Credentials and region come from the AWS default chains; {@code AWS_ENDPOINT_URL_S3} points
 *       tune at an S3-compatible store, addressed path-style and without the checksum trailers such
 *       stores often refuse.
 *   <li>Failures are {@link dev.tune.core.error.TuneException}s that name the {@code s3://}
 *       location: {@code NoSuchBucket}, {@code NoSuchKey} and 404 are not-found; {@code
 *       AccessDenied}, {@code InvalidAccessKeyId}, {@code SignatureDoesNotMatch}, expired tokens
 *       and missing credentials are auth failures that say how to fix them; {@code SlowDown} and
 *       other throttling, after the SDK's retries, are quota failures; 5xx after the retries and
 *       unreachable endpoints are remote failures.
 * </ul>
 */
package dev.tune.aws.s3;
