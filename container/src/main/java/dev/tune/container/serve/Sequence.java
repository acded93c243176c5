package dev.tune.container.serve;

import dev.tune.trainer.model.generation.GenerationResult;
import dev.tune.trainer.model.generation.SamplingParams;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One prompt to generate for: its token ids, how to sample, when to give up, who hears its tokens,
 * and the result that completes when it ends (normally, or with an {@link ApiError} when it runs
 * past its deadline or is cancelled).
 */
public final class Sequence {

  private final long[] prompt;
  private final SamplingParams params;
  private final long deadlineNanos;
  private final TokenListener listener;
  private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
  private volatile boolean cancelled;

  /**
   * @param deadlineNanos a {@link System#nanoTime()} after which generation stops with 408
   */
  public Sequence(
      long[] prompt, SamplingParams params, long deadlineNanos, TokenListener listener) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("a prompt needs at least one token");
    }
    this.prompt = prompt.clone();
    this.params = Objects.requireNonNull(params, "params");
    this.deadlineNanos = deadlineNanos;
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  long[] prompt() {
    return prompt;
  }

  public int promptLength() {
    return prompt.length;
  }

  public SamplingParams params() {
    return params;
  }

  TokenListener listener() {
    return listener;
  }

  /** Completes with the generated tokens, or exceptionally with an {@link ApiError}. */
  public CompletableFuture<GenerationResult> result() {
    return result;
  }

  boolean expired(long nowNanos) {
    return nowNanos - deadlineNanos > 0;
  }

  /** Stops generating for this sequence at the next step (the client went away). */
  public void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }
}
