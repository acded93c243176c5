package dev.tune.container.serve;

import java.time.Duration;
import java.util.Objects;

/**
 * What one request may ask of the server. Requests over a limit get a 4xx answer that names it.
 *
 * @param maxBodyBytes the largest request body (413 above it)
 * @param maxInstances the most prompts in one request
 * @param maxPromptTokens the longest prompt in tokens; the model's context length caps it too
 * @param maxNewTokens the largest {@code max_tokens} a request may ask for
 * @param defaultNewTokens {@code max_tokens} when a request does not say (the SDK's default)
 * @param requestTimeout how long a request may wait and generate before it gets 408; SageMaker
 *     itself gives up on an invocation after 60 s
 * @param maxQueuedSequences the most prompts waiting for the model before new requests get 429
 */
public record ServerLimits(
    long maxBodyBytes,
    int maxInstances,
    int maxPromptTokens,
    int maxNewTokens,
    int defaultNewTokens,
    Duration requestTimeout,
    int maxQueuedSequences) {

  public ServerLimits {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    positive("maxBodyBytes", maxBodyBytes);
    positive("maxInstances", maxInstances);
    positive("maxPromptTokens", maxPromptTokens);
    positive("maxNewTokens", maxNewTokens);
    positive("defaultNewTokens", defaultNewTokens);
    positive("maxQueuedSequences", maxQueuedSequences);
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
    }
  }

  /** 1 MiB bodies, 64 prompts, 128 new tokens by default and at most 4096, a 60 s timeout. */
  public static ServerLimits defaults() {
    return new ServerLimits(1 << 20, 64, 32_768, 4096, 128, Duration.ofSeconds(60), 1024);
  }

  public ServerLimits withMaxBodyBytes(long value) {
    return new ServerLimits(
        value,
        maxInstances,
        maxPromptTokens,
        maxNewTokens,
        defaultNewTokens,
        requestTimeout,
        maxQueuedSequences);
  }

  public ServerLimits withMaxInstances(int value) {
    return new ServerLimits(
        maxBodyBytes,
        value,
        maxPromptTokens,
        maxNewTokens,
        defaultNewTokens,
        requestTimeout,
        maxQueuedSequences);
  }

  public ServerLimits withMaxPromptTokens(int value) {
    return new ServerLimits(
        maxBodyBytes,
        maxInstances,
        value,
        maxNewTokens,
        defaultNewTokens,
        requestTimeout,
        maxQueuedSequences);
  }

  public ServerLimits withMaxNewTokens(int value) {
    return new ServerLimits(
        maxBodyBytes,
        maxInstances,
        maxPromptTokens,
        value,
        defaultNewTokens,
        requestTimeout,
        maxQueuedSequences);
  }

  public ServerLimits withDefaultNewTokens(int value) {
    return new ServerLimits(
        maxBodyBytes,
        maxInstances,
        maxPromptTokens,
        maxNewTokens,
        value,
        requestTimeout,
        maxQueuedSequences);
  }

  public ServerLimits withRequestTimeout(Duration value) {
    return new ServerLimits(
        maxBodyBytes,
        maxInstances,
        maxPromptTokens,
        maxNewTokens,
        defaultNewTokens,
        value,
        maxQueuedSequences);
  }

  public ServerLimits withMaxQueuedSequences(int value) {
    return new ServerLimits(
        maxBodyBytes,
        maxInstances,
        maxPromptTokens,
        maxNewTokens,
        defaultNewTokens,
        requestTimeout,
        value);
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }
}
