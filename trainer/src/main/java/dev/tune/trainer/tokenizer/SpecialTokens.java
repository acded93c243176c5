package dev.tune.trainer.tokenizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The named special tokens of a tokenizer as strings, keyed as transformers' {@code
 * special_tokens_map} keys them ({@code bos_token}, {@code eos_token}, {@code pad_token}, ... and
 * model-specific {@code *_token} entries). Chat templates see exactly these as variables.
 */
public record SpecialTokens(Map<String, String> byName) {

  public static final SpecialTokens NONE = new SpecialTokens(Map.of());

  public SpecialTokens {
    byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Optional<String> bos() {
    return get("bos_token");
  }

  public Optional<String> eos() {
    return get("eos_token");
  }

  public Optional<String> pad() {
    return get("pad_token");
  }

  public Optional<String> unk() {
    return get("unk_token");
  }
}
