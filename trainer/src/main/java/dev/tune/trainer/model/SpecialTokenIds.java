package dev.tune.trainer.model;

import java.util.List;
import java.util.OptionalInt;

/**
 * {@code bos_token_id}, {@code eos_token_id} (one id or several) and {@code pad_token_id}.
 *
 * @param eos every id that ends a sequence; empty when none is set
 */
public record SpecialTokenIds(OptionalInt bos, List<Integer> eos, OptionalInt pad) {

  public SpecialTokenIds {
    eos = List.copyOf(eos);
  }

  static SpecialTokenIds read(ConfigJson json) {
    return new SpecialTokenIds(
        json.optionalInt("bos_token_id"),
        json.intOrIntList("eos_token_id"),
        json.optionalInt("pad_token_id"));
  }
}
