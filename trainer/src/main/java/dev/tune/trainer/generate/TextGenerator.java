package dev.tune.trainer.generate;

import dev.tune.core.error.BadInputException;
import dev.tune.trainer.inference.InferenceModel;
import dev.tune.trainer.model.generation.GenerationDefaults;
import dev.tune.trainer.model.generation.GenerationResult;
import dev.tune.trainer.model.generation.Generator;
import dev.tune.trainer.model.generation.SamplingParams;
import dev.tune.trainer.tokenizer.ChatMessage;
import dev.tune.trainer.tokenizer.ChatRequest;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Continues prompts with a model's key/value-cached {@link Generator}: tokenize (or render the chat
 * template), decode until an end-of-sequence id or the length limit, detokenize the new tokens.
 *
 * <p>Settings a request leaves empty come from the model's {@link GenerationDefaults} (its {@code
 * generation_config.json}, else transformers' defaults); at most {@value #DEFAULT_MAX_NEW_TOKENS}
 * new tokens where the config sets no limit; a fresh random seed. Generation stops at the ids of
 * {@link ModelTokenizer#eosTokenIds()}.
 */
public final class TextGenerator {

  /** New tokens when neither the request nor the model's generation config says. */
  public static final int DEFAULT_MAX_NEW_TOKENS = 256;

  private final InferenceModel model;
  private final Generator generator;

  /**
   * @param model the model to generate with; the caller closes it
   */
  public TextGenerator(InferenceModel model) {
    this.model = model;
    this.generator = new Generator(model.model());
  }

  public GeneratedText generate(GenerateRequest request) {
    ModelTokenizer tokenizer = model.tokenizer();
    long[] prompt = promptIds(request);
    if (prompt.length == 0) {
      throw new BadInputException(
          "The prompt is empty and the tokenizer adds no start token, so there is nothing to"
              + " continue.",
          "Give a non-empty prompt.");
    }
    SamplingParams params = samplingParams(request);
    GenerationResult result = generator.generate(prompt, params);
    long[] ids = result.tokens();
    return new GeneratedText(
        tokenizer.decode(ids, true),
        Arrays.stream(ids).boxed().toList(),
        result.finishReason(),
        prompt.length,
        params.seed());
  }

  /** The prompt's token ids: {@code tok(prompt)}, or the chat template's rendering of it. */
  long[] promptIds(GenerateRequest request) {
    ModelTokenizer tokenizer = model.tokenizer();
    if (!request.chat()) {
      return tokenizer.encode(request.prompt());
    }
    if (tokenizer.chatTemplates().isEmpty()) {
      throw new BadInputException(
          "The model in " + tokenizer.modelDir() + " has no chat template.",
          "Drop --chat to continue the prompt as plain text, or use a model whose"
              + " tokenizer_config.json or chat_template.jinja defines one.");
    }
    return tokenizer.encodeChat(ChatRequest.of(List.of(ChatMessage.user(request.prompt())), true));
  }

  /** The sampling settings of {@code request}, its gaps filled as the class describes. */
  public SamplingParams samplingParams(GenerateRequest request) {
    GenerationDefaults defaults = GenerationDefaults.of(model.generationConfig());
    double temperature = request.temperature().orElse(defaults.temperature());
    int topK = request.topK().orElse(defaults.topK());
    double topP = request.topP().orElse(defaults.topP());
    int maxNewTokens =
        request.maxNewTokens().orElse(defaults.maxNewTokens().orElse(DEFAULT_MAX_NEW_TOKENS));
    long seed = request.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
    Set<Integer> eos = new LinkedHashSet<>();
    for (long id : model.tokenizer().eosTokenIds()) {
      eos.add(Math.toIntExact(id));
    }
    // SamplingParams refuses out-of-range values with a BadInputException naming them
    return new SamplingParams(maxNewTokens, temperature, topK, topP, seed, eos);
  }
}
