package dev.tune.core.storage;

import dev.tune.core.error.RemoteFailureException;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the transfers of one fetch or upload a bounded number at once; the first failure stops the
 * rest and is thrown as it was.
 */
public final class Transfers {
  private Transfers() {}

  /**
   * Runs every task, at most {@code parallelism} at once, and returns when all are done. With one
   * task, or a parallelism of 1, they run on the calling thread.
   *
   * @param what what the tasks do together (e.g. {@code fetching s3://b/p/}), for the message if
   *     the thread is interrupted
   * @throws RuntimeException the first task failure, unwrapped
   */
  public static void runAll(List<Runnable> tasks, int parallelism, String what) {
    int threads = Math.min(parallelism, tasks.size());
    if (threads <= 1) {
      tasks.forEach(Runnable::run);
      return;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads, Thread.ofPlatform().name("tune-transfer-", 1).daemon().factory());
    try {
      // Taken in the order they finish, so that the first failure stops the others at once.
      CompletionService<Void> done = new ExecutorCompletionService<>(pool);
      for (Runnable task : tasks) {
        Future<Void> unused = done.submit(task, null);
      }
      for (int i = 0; i < tasks.size(); i++) {
        done.take().get();
      }
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteFailureException(
          "Stopped " + what + ": the thread was interrupted.",
          "Run it again; files that were complete are not moved twice.",
          e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static RuntimeException unwrap(Throwable cause) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new IllegalStateException(cause);
  }
}
