package dev.tune.container.serve;

import java.util.List;
import java.util.Objects;

/**
 * A parsed, well-formed prediction request.
 *
 * @param instances the prompts, each with the options it asked for (request parameters merged in)
 * @param stream answer with server-sent events, token by token
 */
public record PredictionRequest(List<Instance> instances, boolean stream) {

  public PredictionRequest {
    instances = List.copyOf(instances);
  }

  /** One prompt and its options. */
  public record Instance(PromptInput input, GenerationOptions options) {
    public Instance {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(options, "options");
    }
  }
}
