package dev.tune.cli;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What Ctrl-C does while a command follows something that runs elsewhere (a job, an endpoint being
 * created): the action runs once, from a shutdown hook on SIGINT or from the command when its
 * thread is interrupted, and typically prints how to reattach instead of stopping the remote work.
 */
final class InterruptGuard implements AutoCloseable {
  private final Runnable action;
  private final AtomicBoolean done = new AtomicBoolean();
  private final Thread hook;

  InterruptGuard(Runnable action) {
    this.action = action;
    this.hook = new Thread(this::interrupted, "tune-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Runs the action, unless it ran already. */
  void interrupted() {
    if (done.compareAndSet(false, true)) {
      action.run();
    }
  }

  /** The work ended by itself: Ctrl-C no longer needs a hint. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or has run; nothing to undo.
    }
  }
}
