package dev.tune.container.serve;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a prediction request body and checks its shape and types, with a message for every mistake
 * that names the field ({@code instances[2].top_p}) and what it must be. Three forms:
 *
 * <ul>
 *   <li>Vertex: {@code {"instances": [{"prompt": ..., "max_tokens": ...} | {"messages": [...]} |
 *       "text", ...], "parameters": {...}}}
 *   <li>SageMaker / Hugging Face: {@code {"inputs": "text" | ["text", ...], "parameters":
 *       {"max_new_tokens": ..., "do_sample": ...}}}
 *   <li>chat: {@code {"messages": [{"role": ..., "content": ...}, ...], "parameters": {...}}}
 * </ul>
 *
 * <p>{@code parameters} apply to every prompt; an instance's own fields win. {@code "stream":
 * true}, at the top level or in {@code parameters}, asks for server-sent events.
 */
public final class RequestParser {

  static final String EXAMPLE =
      "{\"instances\": [{\"prompt\": \"Hello\", \"max_tokens\": 32}], \"parameters\": {}}";

  private static final Set<String> OPTION_KEYS =
      Set.of("max_tokens", "max_new_tokens", "temperature", "top_p", "top_k", "seed", "do_sample");
  private static final Set<String> REQUEST_KEYS =
      Set.of("instances", "inputs", "messages", "parameters", "stream");
  private static final Set<String> PARAMETER_KEYS = union(OPTION_KEYS, Set.of("stream"));
  private static final Set<String> INSTANCE_KEYS = union(OPTION_KEYS, Set.of("prompt", "messages"));

  private static final TypeReference<Map<String, Object>> MESSAGE = new TypeReference<>() {};

  private final JsonMapper mapper =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private final int maxInstances;

  /**
   * @param maxInstances the most prompts one request may hold
   */
  public RequestParser(int maxInstances) {
    this.maxInstances = maxInstances;
  }

  /**
   * Parses a request body.
   *
   * @throws ApiError 400 with a message naming the problem
   */
  public PredictionRequest parse(byte[] body) {
    JsonNode root = readJson(body);
    if (!root.isObject()) {
      throw bad("The request body must be a JSON object like " + EXAMPLE + ", got " + kind(root));
    }
    checkKeys(root, REQUEST_KEYS, "the request");
    GenerationOptions shared = GenerationOptions.NONE;
    Optional<Boolean> stream = optionalBoolean(root, "stream", "stream");
    JsonNode parameters = root.get("parameters");
    if (parameters != null && !parameters.isNull()) {
      if (!parameters.isObject()) {
        throw bad("parameters must be a JSON object, got " + kind(parameters));
      }
      checkKeys(parameters, PARAMETER_KEYS, "parameters");
      shared = options(parameters, "parameters.");
      Optional<Boolean> inner = optionalBoolean(parameters, "stream", "parameters.stream");
      if (stream.isPresent() && inner.isPresent() && !stream.equals(inner)) {
        throw bad("stream and parameters.stream disagree; set one of them");
      }
      stream = stream.or(() -> inner);
    }

    List<String> forms =
        List.of("instances", "inputs", "messages").stream().filter(root::has).toList();
    if (forms.isEmpty()) {
      throw bad(
          "The request has no prompts: give \"instances\", \"inputs\" or \"messages\", e.g. "
              + EXAMPLE);
    }
    if (forms.size() > 1) {
      throw bad("The request has both " + String.join(" and ", forms) + "; give only one of them");
    }
    List<PredictionRequest.Instance> instances =
        switch (forms.get(0)) {
          case "instances" -> instances(root.get("instances"), shared);
          case "inputs" -> inputs(root.get("inputs"), shared);
          default ->
              List.of(
                  new PredictionRequest.Instance(
                      new PromptInput.Chat(messages(root.get("messages"), "messages")), shared));
        };
    return new PredictionRequest(instances, stream.orElse(false));
  }

  private JsonNode readJson(byte[] body) {
    if (body.length == 0) {
      throw bad("The request body is empty. Send JSON like " + EXAMPLE);
    }
    try {
      JsonNode root = mapper.readTree(body);
      if (root == null || root.isMissingNode()) {
        throw bad("The request body holds no JSON. Send JSON like " + EXAMPLE);
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw bad("The request body is not valid JSON: " + e.getOriginalMessage() + where);
    } catch (IOException e) {
      throw bad("The request body cannot be read as JSON: " + e.getMessage());
    }
  }

  private List<PredictionRequest.Instance> instances(JsonNode node, GenerationOptions shared) {
    JsonNode array = nonEmptyArray(node, "instances");
    List<PredictionRequest.Instance> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode item = array.get(i);
      String path = "instances[" + i + "]";
      if (item.isTextual()) {
        out.add(new PredictionRequest.Instance(text(item, path), shared));
      } else if (item.isObject()) {
        out.add(instance(item, path, shared));
      } else {
        throw bad(
            path
                + " must be a prompt text or an object with \"prompt\" or \"messages\", got "
                + kind(item));
      }
    }
    return out;
  }

  private PredictionRequest.Instance instance(
      JsonNode item, String path, GenerationOptions shared) {
    checkKeys(item, INSTANCE_KEYS, path);
    boolean hasPrompt = item.has("prompt");
    boolean hasMessages = item.has("messages");
    if (hasPrompt == hasMessages) {
      throw bad(
          path
              + (hasPrompt ? " has both \"prompt\" and \"messages\"" : " has no \"prompt\"")
              + "; give a prompt text or chat messages, e.g. {\"prompt\": \"Hello\"}");
    }
    PromptInput input =
        hasPrompt
            ? text(item.get("prompt"), path + ".prompt")
            : new PromptInput.Chat(messages(item.get("messages"), path + ".messages"));
    return new PredictionRequest.Instance(input, shared.overriddenBy(options(item, path + ".")));
  }

  private List<PredictionRequest.Instance> inputs(JsonNode node, GenerationOptions shared) {
    if (node.isTextual()) {
      return List.of(new PredictionRequest.Instance(text(node, "inputs"), shared));
    }
    if (!node.isArray()) {
      throw bad("inputs must be a prompt text or an array of them, got " + kind(node));
    }
    JsonNode array = nonEmptyArray(node, "inputs");
    List<PredictionRequest.Instance> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      out.add(new PredictionRequest.Instance(text(array.get(i), "inputs[" + i + "]"), shared));
    }
    return out;
  }

  private JsonNode nonEmptyArray(JsonNode node, String path) {
    if (!node.isArray()) {
      throw bad(path + " must be an array of prompts, got " + kind(node));
    }
    if (node.isEmpty()) {
      throw bad(path + " is empty; send at least one prompt");
    }
    if (node.size() > maxInstances) {
      throw bad(
          path
              + " has "
              + node.size()
              + " prompts, the server takes at most "
              + maxInstances
              + " per request; split them over several requests");
    }
    return node;
  }

  private static PromptInput.Text text(JsonNode node, String path) {
    if (!node.isTextual()) {
      throw bad(path + " must be a string, got " + kind(node));
    }
    if (node.textValue().isBlank()) {
      throw bad(path + " is empty; send the text to complete");
    }
    return new PromptInput.Text(node.textValue());
  }

  private List<Map<String, Object>> messages(JsonNode node, String path) {
    if (!node.isArray()) {
      throw bad(
          path
              + " must be an array of {\"role\": ..., \"content\": ...} objects, got "
              + kind(node));
    }
    if (node.isEmpty()) {
      throw bad(path + " is empty; send at least one message");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode message = node.get(i);
      String at = path + "[" + i + "]";
      if (!message.isObject()) {
        throw bad(at + " must be an object like {\"role\": \"user\", \"content\": \"Hi\"}");
      }
      JsonNode role = message.get("role");
      if (role == null || !role.isTextual() || role.textValue().isBlank()) {
        throw bad(at + ".role must be a non-empty string such as \"user\"");
      }
      JsonNode content = message.get("content");
      if (content != null && !content.isTextual() && !content.isArray() && !content.isNull()) {
        throw bad(
            at + ".content must be a string or an array of content blocks, got " + kind(content));
      }
      out.add(mapper.convertValue(message, MESSAGE));
    }
    return out;
  }

  private static GenerationOptions options(JsonNode node, String prefix) {
    if (node.has("max_tokens") && node.has("max_new_tokens")) {
      throw bad(prefix + "max_tokens and " + prefix + "max_new_tokens mean the same; give one");
    }
    String maxKey = node.has("max_new_tokens") ? "max_new_tokens" : "max_tokens";
    OptionalInt maxTokens = optionalInt(node, maxKey, prefix, 1, "an integer >= 1");
    OptionalDouble temperature = optionalNumber(node, "temperature", prefix);
    if (temperature.isPresent() && temperature.getAsDouble() < 0) {
      throw bad(prefix + "temperature must be a number >= 0 (0 decodes greedily)");
    }
    OptionalDouble topP = optionalNumber(node, "top_p", prefix);
    if (topP.isPresent() && !(topP.getAsDouble() > 0 && topP.getAsDouble() <= 1)) {
      throw bad(prefix + "top_p must be a number in (0, 1], got " + topP.getAsDouble());
    }
    OptionalInt topK = optionalInt(node, "top_k", prefix, 0, "an integer >= 0 (0 keeps all)");
    OptionalLong seed = OptionalLong.empty();
    JsonNode seedNode = node.get("seed");
    if (seedNode != null && !seedNode.isNull()) {
      if (!seedNode.isIntegralNumber() || !seedNode.canConvertToLong()) {
        throw bad(prefix + "seed must be an integer, got " + kind(seedNode));
      }
      seed = OptionalLong.of(seedNode.longValue());
    }
    Optional<Boolean> doSample = optionalBoolean(node, "do_sample", prefix + "do_sample");
    if (doSample.isPresent()) {
      // transformers: without do_sample, decoding is greedy whatever the temperature.
      if (!doSample.get()) {
        temperature = OptionalDouble.of(0);
      } else if (temperature.isEmpty() || temperature.getAsDouble() == 0) {
        temperature = OptionalDouble.of(1.0);
      }
    }
    return new GenerationOptions(maxTokens, temperature, topP, topK, seed);
  }

  private static OptionalInt optionalInt(
      JsonNode node, String key, String prefix, int min, String expected) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return OptionalInt.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
      throw bad(prefix + key + " must be " + expected + ", got " + describe(value));
    }
    return OptionalInt.of(value.intValue());
  }

  private static OptionalDouble optionalNumber(JsonNode node, String key, String prefix) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return OptionalDouble.empty();
    }
    if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
      throw bad(prefix + key + " must be a number, got " + describe(value));
    }
    return OptionalDouble.of(value.doubleValue());
  }

  private static Optional<Boolean> optionalBoolean(JsonNode node, String key, String path) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isBoolean()) {
      throw bad(path + " must be true or false, got " + describe(value));
    }
    return Optional.of(value.booleanValue());
  }

  private static void checkKeys(JsonNode object, Set<String> known, String where) {
    for (String key : (Iterable<String>) object::fieldNames) {
      if (!known.contains(key)) {
        throw bad(
            where
                + " has an unknown field \""
                + key
                + "\"; known fields: "
                + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  private static String describe(JsonNode value) {
    return value.isNumber() ? value.asText() : kind(value);
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "true/false";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static ApiError bad(String message) {
    return ApiError.badRequest(message);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }
}
