package dev.tune.cli;

import dev.tune.core.endpoint.Prompt;

/** The generation options of {@code tune predict}; null leaves the SDK's default. */
record PromptSettings(Integer maxTokens, Double temperature, Double topP, Integer topK) {

  /** A prompt of {@code text} with these settings. */
  Prompt apply(String text) {
    return builder(text).build();
  }

  /** A builder of {@code text} with these settings, for a caller to override some. */
  Prompt.Builder builder(String text) {
    Prompt.Builder b = Prompt.builder(text);
    if (maxTokens != null) {
      b.maxTokens(maxTokens);
    }
    if (temperature != null) {
      b.temperature(temperature);
    }
    if (topP != null) {
      b.topP(topP);
    }
    if (topK != null) {
      b.topK(topK);
    }
    return b;
  }
}
