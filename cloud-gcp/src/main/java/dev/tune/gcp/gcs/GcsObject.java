package dev.tune.gcp.gcs;

import dev.tune.core.storage.BucketLayout;
import java.time.Instant;
import java.util.Optional;

/**
 * One object found at a {@code gs://} location.
 *
 * @param name the object's full name
 * @param path where it goes locally, relative to the fetched location ({@code /}-separated); the
 *     object's file name when the location is the object itself
 * @param size in bytes
 * @param generation the version of the object that was listed; reads ask for exactly it
 * @param md5 the content's MD5, base64, as Cloud Storage keeps it (composite objects have none)
 * @param crc32c the content's CRC32C, base64, big-endian
 * @param updated when the object was last written
 */
record GcsObject(
    String name,
    String path,
    long size,
    long generation,
    Optional<String> md5,
    Optional<String> crc32c,
    Instant updated)
    implements BucketLayout.Listed {}
