package dev.tune.container.serve;

import dev.tune.core.error.TuneException;
import dev.tune.trainer.model.generation.GenerationDefaults;
import dev.tune.trainer.model.generation.SamplingParams;
import dev.tune.trainer.tokenizer.ChatRequest;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns the prompts of a request into token ids and sampling parameters: chat messages through the
 * model's chat template, the model's generation defaults under the request's options, and the token
 * limits checked (400 naming the limit) before anything reaches the model.
 */
public final class PromptEncoder {

  private final ServedModel served;
  private final ServerLimits limits;
  private final GenerationDefaults defaults;

  public PromptEncoder(ServedModel served, ServerLimits limits) {
    this.served = served;
    this.limits = limits;
    this.defaults = GenerationDefaults.of(served.generationConfig());
  }

  /** A prompt ready to decode: its token ids and how to sample its continuation. */
  public static final class Encoded {
    private final long[] ids;
    private final SamplingParams params;

    Encoded(long[] ids, SamplingParams params) {
      this.ids = ids.clone();
      this.params = params;
    }

    public long[] ids() {
      return ids.clone();
    }

    public SamplingParams params() {
      return params;
    }
  }

  /**
   * Encodes every prompt of a request.
   *
   * @throws ApiError 400 if a prompt is too long, asks for too many tokens, or its chat cannot be
   *     rendered
   */
  public List<Encoded> encode(PredictionRequest request) {
    List<Encoded> out = new ArrayList<>(request.instances().size());
    for (int i = 0; i < request.instances().size(); i++) {
      out.add(encode(request.instances().get(i), "instance " + i));
    }
    return out;
  }

  private Encoded encode(PredictionRequest.Instance instance, String which) {
    long[] ids = tokens(instance.input(), which);
    int context = served.contextLength();
    int promptLimit = Math.min(limits.maxPromptTokens(), context - 1);
    if (ids.length == 0) {
      throw ApiError.badRequest(which + ": the prompt encodes to no tokens; send some text");
    }
    if (ids.length > promptLimit) {
      throw ApiError.badRequest(
          which
              + ": the prompt has "
              + ids.length
              + " tokens, the limit is "
              + promptLimit
              + " (the model's context is "
              + context
              + " tokens); shorten the prompt");
    }
    GenerationOptions options = instance.options();
    int room = context - ids.length;
    int maxTokens;
    if (options.maxTokens().isPresent()) {
      maxTokens = options.maxTokens().getAsInt();
      if (maxTokens > limits.maxNewTokens()) {
        throw ApiError.badRequest(
            which
                + ": max_tokens is "
                + maxTokens
                + ", the server allows at most "
                + limits.maxNewTokens()
                + "; ask for fewer tokens");
      }
      if (maxTokens > room) {
        throw ApiError.badRequest(
            which
                + ": the prompt's "
                + ids.length
                + " tokens plus max_tokens "
                + maxTokens
                + " exceed the model's context of "
                + context
                + " tokens; ask for at most "
                + room
                + " new tokens or shorten the prompt");
      }
    } else {
      int fallback = defaults.maxNewTokens().orElse(limits.defaultNewTokens());
      maxTokens = Math.min(Math.min(fallback, limits.maxNewTokens()), room);
    }
    SamplingParams params;
    try {
      params =
          new SamplingParams(
              maxTokens,
              options.temperature().orElse(defaults.temperature()),
              options.topK().orElse(defaults.topK()),
              options.topP().orElse(defaults.topP()),
              options.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong()),
              served.eosTokenIds());
    } catch (TuneException e) {
      // The request's values are checked when parsed; this catches generation_config.json's.
      throw ApiError.badRequest(which + ": " + e.getMessage() + "; " + e.fix());
    }
    return new Encoded(ids, params);
  }

  private long[] tokens(PromptInput input, String which) {
    ModelTokenizer tokenizer = served.tokenizer();
    return switch (input) {
      case PromptInput.Text text -> tokenizer.encode(text.text());
      case PromptInput.Chat chat -> {
        if (tokenizer.chatTemplates().isEmpty()) {
          throw ApiError.badRequest(
              which
                  + ": this model has no chat template, so it cannot take \"messages\"; send a"
                  + " \"prompt\" text instead");
        }
        ChatRequest.Builder request = ChatRequest.builder().addGenerationPrompt(true);
        chat.messages().forEach(request::message);
        try {
          yield tokenizer.encodeChat(request.build());
        } catch (TuneException e) {
          throw ApiError.badRequest(which + ": " + e.getMessage());
        }
      }
    };
  }
}
