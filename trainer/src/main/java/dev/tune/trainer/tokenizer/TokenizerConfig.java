package dev.tune.trainer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What transformers takes from a model directory besides {@code tokenizer.json}: {@code
 * tokenizer_config.json}, the legacy {@code special_tokens_map.json}, and the chat templates in
 * {@code chat_template.jinja} / {@code additional_chat_templates/*.jinja}. The merge follows
 * transformers' {@code PreTrainedTokenizerBase._from_pretrained} (v5).
 *
 * @param specialTokens the named special tokens as strings
 * @param addBosToken {@code add_bos_token} as written; transformers v5 ignores it when a {@code
 *     tokenizer.json} exists (its post-processor decides)
 * @param addEosToken {@code add_eos_token} as written, same caveat
 * @param modelMaxLength {@code model_max_length}, empty when absent or transformers' "no limit"
 * @param cleanUpTokenizationSpaces {@code clean_up_tokenization_spaces} (default false)
 * @param chatTemplates the chat templates, compiled
 */
public record TokenizerConfig(
    SpecialTokens specialTokens,
    Optional<Boolean> addBosToken,
    Optional<Boolean> addEosToken,
    OptionalLong modelMaxLength,
    boolean cleanUpTokenizationSpaces,
    ChatTemplates chatTemplates) {

  static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
  static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";
  static final String CHAT_TEMPLATE_DIR = "additional_chat_templates";

  /** transformers' named special-token attributes, in its order. */
  private static final List<String> NAMED_TOKENS =
      List.of(
          "bos_token",
          "eos_token",
          "unk_token",
          "sep_token",
          "pad_token",
          "cls_token",
          "mask_token");

  private static final Set<String> NOT_TOKENS = Set.of("chat_template", "added_tokens_decoder");

  /** Reads the configuration files of a model directory; absent files count as empty. */
  public static TokenizerConfig read(Path modelDir) {
    Path configFile = modelDir.resolve(TOKENIZER_CONFIG);
    JsonNode config = JsonFile.readIfPresent(configFile).orElse(null);

    Map<String, JsonNode> values = new LinkedHashMap<>();
    if (config != null) {
      config.properties().forEach(e -> values.put(e.getKey(), e.getValue()));
    }
    // Without added_tokens_decoder the config predates transformers 4.34; special_tokens_map.json
    // then carries the special tokens and wins over the config's entries.
    if (!values.containsKey("added_tokens_decoder")) {
      JsonFile.readIfPresent(modelDir.resolve(SPECIAL_TOKENS_MAP))
          .ifPresent(map -> map.properties().forEach(e -> values.put(e.getKey(), e.getValue())));
    }

    SpecialTokens specialTokens = specialTokens(values);
    ChatTemplates templates = chatTemplates(modelDir, config, configFile, specialTokens);
    return new TokenizerConfig(
        specialTokens,
        bool(values.get("add_bos_token")),
        bool(values.get("add_eos_token")),
        maxLength(values.get("model_max_length")),
        bool(values.get("clean_up_tokenization_spaces")).orElse(false),
        templates);
  }

  private static SpecialTokens specialTokens(Map<String, JsonNode> values) {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String name : NAMED_TOKENS) {
      tokenText(values.get(name)).ifPresent(text -> tokens.put(name, text));
    }
    // transformers v5 also keeps model-specific "*_token" entries (image_token, ...) and the
    // dict form of extra_special_tokens as named special tokens.
    values.forEach(
        (key, value) -> {
          if (key.endsWith("_token") && !NOT_TOKENS.contains(key) && !tokens.containsKey(key)) {
            tokenText(value).ifPresent(text -> tokens.put(key, text));
          }
        });
    JsonNode extra = values.get("extra_special_tokens");
    if (extra != null && extra.isObject()) {
      extra
          .properties()
          .forEach(e -> tokenText(e.getValue()).ifPresent(text -> tokens.put(e.getKey(), text)));
    }
    return new SpecialTokens(tokens);
  }

  /** A token written as a string or as an AddedToken object ({@code {"content": ...}}). */
  static Optional<String> tokenText(JsonNode value) {
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (value.isTextual()) {
      return Optional.of(value.asText());
    }
    if (value.isObject() && value.path("content").isTextual()) {
      return Optional.of(value.path("content").asText());
    }
    return Optional.empty();
  }

  private static Optional<Boolean> bool(JsonNode value) {
    return value != null && value.isBoolean() ? Optional.of(value.asBoolean()) : Optional.empty();
  }

  private static OptionalLong maxLength(JsonNode value) {
    if (value == null || !value.isNumber()) {
      return OptionalLong.empty();
    }
    BigInteger n = value.bigIntegerValue();
    // transformers writes int(1e30) for "no limit".
    return n.bitLength() < 63 ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
  }

  private static ChatTemplates chatTemplates(
      Path modelDir, JsonNode config, Path configFile, SpecialTokens specialTokens) {
    // Template files win over the config's chat_template entry, as in transformers.
    Map<String, ChatTemplate> fromFiles = new LinkedHashMap<>();
    Path defaultFile = modelDir.resolve(CHAT_TEMPLATE_FILE);
    if (Files.isRegularFile(defaultFile)) {
      fromFiles.put(
          "default",
          ChatTemplate.compile(
              "default", readTemplate(defaultFile), defaultFile.toString(), specialTokens));
    }
    Path extraDir = modelDir.resolve(CHAT_TEMPLATE_DIR);
    if (Files.isDirectory(extraDir)) {
      for (Path file : templateFiles(extraDir)) {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - ".jinja".length());
        fromFiles.put(
            name, ChatTemplate.compile(name, readTemplate(file), file.toString(), specialTokens));
      }
    }
    if (!fromFiles.isEmpty()) {
      return fromFiles.size() == 1 && fromFiles.containsKey("default")
          ? ChatTemplates.single(fromFiles.get("default"))
          : ChatTemplates.named(fromFiles);
    }

    JsonNode entry = config == null ? null : config.get("chat_template");
    String origin = "the chat_template entry of " + configFile;
    if (entry == null || entry.isNull()) {
      return ChatTemplates.NONE;
    }
    if (entry.isTextual()) {
      return ChatTemplates.single(
          ChatTemplate.compile("default", entry.asText(), origin, specialTokens));
    }
    if (entry.isArray()) {
      Map<String, ChatTemplate> named = new LinkedHashMap<>();
      for (JsonNode item : entry) {
        if (!item.path("name").isTextual() || !item.path("template").isTextual()) {
          throw new BadInputException(
              "The chat_template list in "
                  + configFile
                  + " must hold {\"name\": ..., \"template\": ...} objects; found "
                  + item,
              "Fix the entry, or move the templates to chat_template.jinja files.");
        }
        String name = item.get("name").asText();
        named.put(
            name,
            ChatTemplate.compile(
                name,
                item.get("template").asText(),
                origin + " (template '" + name + "')",
                specialTokens));
      }
      return ChatTemplates.named(named);
    }
    throw new BadInputException(
        "chat_template in "
            + configFile
            + " must be a string or a list of named templates, not "
            + entry.getNodeType()
            + ".",
        "Fix the entry, or move the template to chat_template.jinja.");
  }

  private static List<Path> templateFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return new ArrayList<>(
          files.filter(p -> p.getFileName().toString().endsWith(".jinja")).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list chat templates in " + dir, e);
    }
  }

  /** Reads a template as Python's text mode does: universal newlines. */
  private static String readTemplate(Path file) {
    try {
      return Files.readString(file).replace("\r\n", "\n").replace('\r', '\n');
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read chat template " + file + ": " + e.getMessage(), e);
    }
  }
}
