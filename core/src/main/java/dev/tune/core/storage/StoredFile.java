package dev.tune.core.storage;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One file found by {@link StorageBackend#list}.
 *
 * @param path relative to the listed location, {@code /}-separated; for a listed file, its name
 * @param size in bytes, when the storage tells
 */
public record StoredFile(String path, OptionalLong size) {
  public StoredFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(size, "size");
    if (path.isEmpty() || path.startsWith("/")) {
      throw new IllegalArgumentException("a stored file's path must be relative: '" + path + "'");
    }
  }

  /** A file of known size. */
  public static StoredFile of(String path, long size) {
    return new StoredFile(path, OptionalLong.of(size));
  }
}
