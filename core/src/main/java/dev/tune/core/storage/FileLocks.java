package dev.tune.core.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive access to one cache entry, across the threads of this process and across processes
 * sharing the cache, so that two fetches never write the same file at once.
 */
public final class FileLocks {
  // A file lock belongs to the whole process; threads must also wait for each other.
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS =
      new ConcurrentHashMap<>();

  private FileLocks() {}

  /** Work that reads and writes files. */
  @FunctionalInterface
  public interface IoWork<T> {
    T run() throws IOException;
  }

  /** Runs {@code work} while holding the lock file {@code lockFile}, created if missing. */
  public static <T> T withLock(Path lockFile, IoWork<T> work) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    ReentrantLock local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
    local.lock();
    try {
      Files.createDirectories(key.getParent());
      try (FileChannel channel =
          FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock held = channel.lock();
        try {
          return work.run();
        } finally {
          held.release();
        }
      }
    } finally {
      local.unlock();
    }
  }
}
