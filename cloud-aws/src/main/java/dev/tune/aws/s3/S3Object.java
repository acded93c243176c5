package dev.tune.aws.s3;

import dev.tune.core.storage.BucketLayout;
import java.time.Instant;

/**
 * One object found at an {@code s3://} location.
 *
 * @param key the object's full key
 * @param path where it goes locally, relative to the fetched location ({@code /}-separated); the
 *     object's file name when the location is the object itself
 * @param size in bytes
 * @param eTag the entity tag without its quotes: the MD5 of the content for objects uploaded in one
 *     piece without KMS encryption, another id otherwise
 * @param lastModified when the object was last written
 */
record S3Object(String key, String path, long size, String eTag, Instant lastModified)
    implements BucketLayout.Listed {

  /** The key: S3's word for an object's name. */
  @Override
  public String name() {
    return key;
  }

  /** An entity tag as S3 sends it, with or without quotes, without them. */
  static String unquote(String eTag) {
    if (eTag == null) {
      return "";
    }
    return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
        ? eTag.substring(1, eTag.length() - 1)
        : eTag;
  }
}
