package dev.tune.trainer.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokenizer of a Hugging Face model directory, behaving as transformers' {@code
 * AutoTokenizer.from_pretrained(dir)} fast tokenizer does: {@code tokenizer.json} runs in the Rust
 * tokenizers library (through DJL), special tokens and chat templates come from the config files
 * around it.
 */
public final class ModelTokenizer implements AutoCloseable {

  static final String TOKENIZER_FILE = "tokenizer.json";

  private static final Logger LOG = LoggerFactory.getLogger(ModelTokenizer.class);

  // DJL options: no truncation or padding (tok(text) applies neither), nothing from the Hub.
  private static final Map<String, String> DJL_OPTIONS =
      Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");

  private final Path modelDir;
  private final HuggingFaceTokenizer tokenizer;
  private final Vocabulary vocabulary;
  private final TokenizerConfig config;
  private final GenerationTokens generation;

  private ModelTokenizer(
      Path modelDir,
      HuggingFaceTokenizer tokenizer,
      Vocabulary vocabulary,
      TokenizerConfig config,
      GenerationTokens generation) {
    this.modelDir = modelDir;
    this.tokenizer = tokenizer;
    this.vocabulary = vocabulary;
    this.config = config;
    this.generation = generation;
  }

  /**
   * Loads the tokenizer of a model directory.
   *
   * @throws NotFoundException if the directory or its {@code tokenizer.json} is missing
   * @throws BadInputException if a file is malformed or a chat template does not compile
   */
  public static ModelTokenizer load(Path modelDir) {
    if (!Files.isDirectory(modelDir)) {
      throw new NotFoundException(
          "Model directory " + modelDir + " does not exist or is not a directory.",
          "Point tune at the directory that holds the model's config.json and tokenizer.json.");
    }
    Path file = modelDir.resolve(TOKENIZER_FILE);
    if (!Files.isRegularFile(file)) {
      throw new NotFoundException(
          "No " + TOKENIZER_FILE + " in " + modelDir + "; tune reads fast-tokenizer files only.",
          "If the model ships a SentencePiece tokenizer.model instead, convert it once with"
              + " transformers: AutoTokenizer.from_pretrained(dir).save_pretrained(dir).");
    }
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    JsonNode root = JsonFile.parse(file, json);
    Vocabulary vocabulary = Vocabulary.of(file, root);
    TokenizerConfig config = TokenizerConfig.read(modelDir);
    GenerationTokens generation = GenerationTokens.read(modelDir);

    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), DJL_OPTIONS);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new BadInputException(
          "The Hugging Face tokenizers library ("
              + tokenizersVersion()
              + ") cannot load "
              + file
              + ": "
              + e.getMessage(),
          "The file may come from a newer tokenizers version or be damaged. " + JsonFile.RESTORE,
          e);
    }
    ModelTokenizer loaded = new ModelTokenizer(modelDir, tokenizer, vocabulary, config, generation);
    loaded.warnIfBosEosFlagsIgnored();
    return loaded;
  }

  private static String tokenizersVersion() {
    try {
      return ai.djl.util.Platform.detectPlatform("tokenizers").getVersion();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * transformers v5 ignores add_bos_token/add_eos_token when tokenizer.json exists (v4's Llama and
   * Gemma classes honoured them), and so do we; say so when they disagree with tokenizer.json.
   */
  private void warnIfBosEosFlagsIgnored() {
    List<Long> added = Arrays.stream(encode("", true)).boxed().toList();
    check("add_bos_token", config.addBosToken(), bosTokenId(), added);
    check("add_eos_token", config.addEosToken(), eosTokenId(), added);
  }

  private void check(String flag, Optional<Boolean> value, OptionalLong id, List<Long> added) {
    if (value.isEmpty() || id.isEmpty()) {
      return;
    }
    boolean adds = added.contains(id.getAsLong());
    if (value.get() != adds) {
      LOG.warn(
          "{} in {} says {} but the post-processor of {} {} that token; tune follows {} as"
              + " transformers v5 does (v4's Llama/Gemma tokenizers followed the flag). Edit the"
              + " post_processor in {} if you want the flag's behaviour.",
          flag,
          modelDir.resolve(TokenizerConfig.TOKENIZER_CONFIG),
          value.get(),
          TOKENIZER_FILE,
          adds ? "adds" : "does not add",
          TOKENIZER_FILE,
          TOKENIZER_FILE);
    }
  }

  public Path modelDir() {
    return modelDir;
  }

  /** Same as {@code encode(text, true)}: {@code tok(text)["input_ids"]}. */
  public long[] encode(String text) {
    return encode(text, true);
  }

  /**
   * Token ids of a text.
   *
   * @param addSpecialTokens whether the tokenizer.json post-processor adds its special tokens (BOS
   *     for Llama); false for text that already has them, such as a rendered chat
   */
  public long[] encode(String text, boolean addSpecialTokens) {
    return tokenizer.encode(text, addSpecialTokens, false).getIds();
  }

  /** Same as {@code decode(ids, false)}: transformers' {@code tok.decode(ids)}. */
  public String decode(long[] ids) {
    return decode(ids, false);
  }

  /**
   * The text of token ids, as transformers' {@code decode(ids, skip_special_tokens=...)}: including
   * {@code clean_up_tokenization_spaces} when the config asks for it, which transformers v5 skips
   * for BPE models.
   */
  public String decode(long[] ids, boolean skipSpecialTokens) {
    String text = tokenizer.decode(ids, skipSpecialTokens);
    if (config.cleanUpTokenizationSpaces() && !"BPE".equals(vocabulary.modelType())) {
      text = cleanUpTokenization(text);
    }
    return text;
  }

  static String cleanUpTokenization(String text) {
    return text.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re");
  }

  /**
   * The id of a token (added tokens first, then the model vocabulary); a token the tokenizer does
   * not know maps to the unknown token's id, as in transformers' {@code convert_tokens_to_ids}.
   */
  public OptionalLong tokenId(String token) {
    OptionalLong id = vocabulary.id(token);
    if (id.isPresent()) {
      return id;
    }
    Optional<String> unk = config.specialTokens().unk();
    return unk.isPresent() ? vocabulary.id(unk.get()) : OptionalLong.empty();
  }

  public SpecialTokens specialTokens() {
    return config.specialTokens();
  }

  public TokenizerConfig config() {
    return config;
  }

  public OptionalLong bosTokenId() {
    return idOf(config.specialTokens().bos());
  }

  public OptionalLong eosTokenId() {
    return idOf(config.specialTokens().eos());
  }

  public OptionalLong padTokenId() {
    return idOf(config.specialTokens().pad());
  }

  public OptionalLong unkTokenId() {
    return idOf(config.specialTokens().unk());
  }

  private OptionalLong idOf(Optional<String> token) {
    return token.isPresent() ? tokenId(token.get()) : OptionalLong.empty();
  }

  /**
   * The ids that end generation: {@code eos_token_id} of generation_config.json (or config.json
   * without one), which may list several; else the tokenizer's EOS; else none.
   */
  public List<Long> eosTokenIds() {
    if (generation.eosTokenIds().isPresent()) {
      return generation.eosTokenIds().get();
    }
    OptionalLong eos = eosTokenId();
    return eos.isPresent() ? List.of(eos.getAsLong()) : List.of();
  }

  /** transformers' {@code tokenizer.vocab_size}: the model vocabulary, without added tokens. */
  public int vocabSize() {
    return vocabulary.modelVocabSize();
  }

  /** transformers' {@code len(tokenizer)}: every distinct token, added ones included. */
  public int size() {
    return vocabulary.size();
  }

  /** {@code model_max_length} of tokenizer_config.json, if it sets a real limit. */
  public OptionalLong modelMaxLength() {
    return config.modelMaxLength();
  }

  public ChatTemplates chatTemplates() {
    return config.chatTemplates();
  }

  /** transformers' {@code apply_chat_template(..., tokenize=False)}. */
  public String applyChatTemplate(ChatRequest request) {
    return chatTemplates()
        .select(request.templateName(), request.tools().isPresent())
        .render(request);
  }

  /**
   * transformers' {@code apply_chat_template(..., tokenize=True)}: the rendered text encoded
   * without adding special tokens (the template writes them).
   */
  public long[] encodeChat(ChatRequest request) {
    return encode(applyChatTemplate(request), false);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
