package dev.tune.container.train;

import dev.tune.core.storage.FetchOptions;

/** What of a base model's repository or directory training needs. */
public final class ModelFetch {
  private ModelFetch() {}

  /**
   * Config, tokenizer, chat template and safetensors weights; other weight formats beside
   * safetensors are left behind.
   */
  public static FetchOptions.Builder options() {
    return FetchOptions.builder()
        .allow("*.json", "*.safetensors", "tokenizer*", "*.model", "*.jinja", "*.txt")
        .preferSafetensors(true);
  }
}
