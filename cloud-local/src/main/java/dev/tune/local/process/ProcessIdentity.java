package dev.tune.local.process;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One process, told apart from any later process that reuses its pid by its start time. A CLI
 * started after the process's parent exited can still tell whether it runs.
 *
 * @param pid the operating system's process id
 * @param startedAt when the process started, as the operating system reports it; {@link
 *     Instant#EPOCH} where it reports none
 */
public record ProcessIdentity(long pid, Instant startedAt) {

  // The start time is derived from clock ticks since boot; reading it twice can differ slightly.
  private static final Duration SAME_START = Duration.ofSeconds(2);

  /** The identity of a running process. */
  public static ProcessIdentity of(ProcessHandle handle) {
    return new ProcessIdentity(handle.pid(), handle.info().startInstant().orElse(Instant.EPOCH));
  }

  /** The process, while it runs. */
  public Optional<ProcessHandle> live() {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::sameStart);
  }

  /** Whether the process runs. */
  public boolean isAlive() {
    return live().isPresent();
  }

  /**
   * Asks the process to stop (SIGTERM), waits up to {@code grace} and then kills it and its
   * children.
   *
   * @return whether it had to be killed
   */
  public boolean stop(Duration grace) throws InterruptedException {
    Optional<ProcessHandle> handle = live();
    if (handle.isEmpty()) {
      return false;
    }
    ProcessHandle process = handle.get();
    process.destroy();
    if (awaitExit(process, grace)) {
      return false;
    }
    // A contract job's or endpoint's process runs the entrypoint as its child; it goes too.
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    awaitExit(process, Duration.ofSeconds(10));
    return true;
  }

  /** Waits up to {@code timeout} for the process to end; whether it did. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    Optional<ProcessHandle> handle = live();
    return handle.isEmpty() || awaitExit(handle.get(), timeout);
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout)
      throws InterruptedException {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !process.isAlive();
    } catch (ExecutionException e) {
      return !process.isAlive();
    }
  }

  private boolean sameStart(ProcessHandle handle) {
    Instant actual = handle.info().startInstant().orElse(Instant.EPOCH);
    if (startedAt.equals(Instant.EPOCH) || actual.equals(Instant.EPOCH)) {
      return true; // the platform reports no start times; the pid is all there is
    }
    return Duration.between(startedAt, actual).abs().compareTo(SAME_START) <= 0;
  }
}
