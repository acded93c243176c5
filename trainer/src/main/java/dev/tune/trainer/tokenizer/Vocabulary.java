package dev.tune.trainer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.core.error.BadInputException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Token-to-id lookups from {@code tokenizer.json}, which DJL's tokenizer does not expose: the
 * model's vocabulary plus the added tokens, looked up as the Rust tokenizer's {@code token_to_id}
 * does (added tokens first).
 */
final class Vocabulary {

  private final String modelType;
  private final Map<String, Long> modelVocab;
  private final Map<String, Long> addedTokens;

  private Vocabulary(
      String modelType, Map<String, Long> modelVocab, Map<String, Long> addedTokens) {
    this.modelType = modelType;
    this.modelVocab = modelVocab;
    this.addedTokens = addedTokens;
  }

  static Vocabulary of(Path file, JsonNode tokenizerJson) {
    JsonNode model = tokenizerJson.path("model");
    if (!model.isObject()) {
      throw new BadInputException(
          file + " has no \"model\" object; it is not a Hugging Face tokenizer.json.",
          JsonFile.RESTORE);
    }
    String type = model.path("type").asText("");
    Map<String, Long> vocab = new HashMap<>();
    JsonNode entries = model.path("vocab");
    if (entries.isObject()) {
      entries.properties().forEach(e -> vocab.put(e.getKey(), e.getValue().asLong()));
    } else if (entries.isArray()) {
      // Unigram: [[piece, score], ...], the id is the position.
      long id = 0;
      for (JsonNode piece : entries) {
        vocab.put(piece.path(0).asText(), id++);
      }
    } else {
      throw new BadInputException(
          file + " has no model vocabulary (model.vocab); transformers could not load it either.",
          JsonFile.RESTORE);
    }
    Map<String, Long> added = new HashMap<>();
    for (JsonNode token : tokenizerJson.path("added_tokens")) {
      added.put(token.path("content").asText(), token.path("id").asLong());
    }
    return new Vocabulary(type, vocab, added);
  }

  /** The model type: "BPE", "WordLevel", "WordPiece" or "Unigram". */
  String modelType() {
    return modelType;
  }

  OptionalLong id(String token) {
    Long id = addedTokens.get(token);
    if (id == null) {
      id = modelVocab.get(token);
    }
    return id == null ? OptionalLong.empty() : OptionalLong.of(id);
  }

  /** Size of the model's vocabulary without added tokens (transformers' {@code vocab_size}). */
  int modelVocabSize() {
    return modelVocab.size();
  }

  /** Distinct tokens, added ones included (transformers' {@code len(tokenizer)}). */
  int size() {
    Set<String> all = new HashSet<>(modelVocab.keySet());
    all.addAll(addedTokens.keySet());
    return all.size();
  }
}
