package dev.tune.trainer.lora;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * peft's {@code adapter_config.json} for a LoRA adapter: what tune writes and what it accepts.
 *
 * <p>Reading tolerates fields it does not know (peft adds fields with every release) and refuses,
 * naming the field, the settings that would change what the adapter computes and that tune does not
 * implement: DoRA, trained biases, extra saved modules, per-module rank or alpha, layer selection
 * by index, and the initialisations that rewrite the base weights (PiSSA, OLoRA, CorDA, LoftQ).
 */
public final class AdapterConfigJson {

  /** The file name peft uses. */
  public static final String FILE_NAME = "adapter_config.json";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Fields whose non-default value means a LoRA variant tune does not implement. */
  private static final Map<String, String> UNSUPPORTED =
      Map.ofEntries(
          Map.entry("use_dora", "DoRA adapters"),
          Map.entry("lora_bias", "trained LoRA biases"),
          Map.entry("modules_to_save", "fully trained extra modules (modules_to_save)"),
          Map.entry("rank_pattern", "per-module ranks (rank_pattern)"),
          Map.entry("alpha_pattern", "per-module alphas (alpha_pattern)"),
          Map.entry("layers_to_transform", "layer selection by index (layers_to_transform)"),
          Map.entry("exclude_modules", "excluded modules (exclude_modules)"),
          Map.entry("layer_replication", "layer replication"),
          Map.entry("target_parameters", "adapters on raw parameters (target_parameters)"),
          Map.entry("trainable_token_indices", "trainable token embeddings"),
          Map.entry("use_qalora", "QA-LoRA"),
          Map.entry("alora_invocation_tokens", "activated LoRA (aLoRA)"),
          Map.entry("megatron_config", "Megatron parallel layers"),
          Map.entry("arrow_config", "Arrow routing"),
          Map.entry("use_bdlora", "BD-LoRA"));

  /** Initialisations that change the base weights, so the adapter is meaningless without them. */
  private static final List<String> BASE_REWRITING_INITS =
      List.of("pissa", "olora", "corda", "loftq");

  private AdapterConfigJson() {}

  /** Reads {@code adapter_config.json} from an adapter directory or the file itself. */
  public static LoraConfig read(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the peft adapter config " + file, e);
    }
    try {
      return parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses the text of an {@code adapter_config.json}. */
  public static LoraConfig parse(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("an adapter config must be a JSON object");
    }
    String peftType = text(root, "peft_type");
    if (!"LORA".equals(peftType)) {
      throw new IllegalArgumentException(
          "peft_type is "
              + (peftType == null ? "missing" : "\"" + peftType + "\"")
              + "; tune loads LoRA adapters only (peft_type \"LORA\")");
    }
    String taskType = text(root, "task_type");
    if (taskType != null && !taskType.equals("CAUSAL_LM")) {
      throw new IllegalArgumentException(
          "task_type is \"" + taskType + "\"; tune loads adapters for causal LMs (\"CAUSAL_LM\")");
    }
    for (Map.Entry<String, String> field : new TreeMap<>(UNSUPPORTED).entrySet()) {
      JsonNode value = root.get(field.getKey());
      if (isSet(value)) {
        throw new IllegalArgumentException(
            field.getKey()
                + " is "
                + value
                + ": "
                + field.getValue()
                + " are not supported; train a plain LoRA adapter (leave "
                + field.getKey()
                + " unset)");
      }
    }
    checkInit(root.get("init_lora_weights"));

    JsonNode r = root.get("r");
    if (r == null || !r.canConvertToInt() || !r.isIntegralNumber()) {
      throw new IllegalArgumentException("r must be an integer, got " + r);
    }
    return LoraConfig.builder()
        .r(r.intValue())
        .loraAlpha(number(root, "lora_alpha", 8))
        .loraDropout(number(root, "lora_dropout", 0))
        .targetModules(targetModules(root.get("target_modules")))
        .useRslora(bool(root, "use_rslora"))
        .bias(root.hasNonNull("bias") ? root.get("bias").asText() : LoraConfig.BIAS_NONE)
        .fanInFanOut(bool(root, "fan_in_fan_out"))
        .baseModelNameOrPath(text(root, "base_model_name_or_path"))
        .build();
  }

  /**
   * The JSON peft writes for this config, keys sorted and indented by two as peft does.
   *
   * @param adaptedModules the modules that carry an adapter; with {@code all-linear} they are
   *     written instead of the shorthand, as peft 0.21 does, so that a reader needs no model to
   *     resolve it
   */
  public static String toJson(LoraConfig config, Collection<String> adaptedModules) {
    Map<String, JsonNode> fields = new TreeMap<>();
    fields.put("alpha_pattern", NODES.objectNode());
    fields.put("auto_mapping", NODES.nullNode());
    fields.put("base_model_name_or_path", textOrNull(config.baseModelNameOrPath()));
    fields.put("bias", NODES.textNode(config.bias()));
    fields.put("fan_in_fan_out", NODES.booleanNode(config.fanInFanOut()));
    fields.put("inference_mode", NODES.booleanNode(true));
    fields.put("init_lora_weights", NODES.booleanNode(true));
    fields.put("layer_replication", NODES.nullNode());
    fields.put("layers_pattern", NODES.nullNode());
    fields.put("layers_to_transform", NODES.nullNode());
    fields.put("loftq_config", NODES.objectNode());
    fields.put("lora_alpha", number(config.loraAlpha()));
    fields.put("lora_dropout", NODES.numberNode(config.loraDropout()));
    fields.put("megatron_config", NODES.nullNode());
    fields.put("megatron_core", NODES.textNode("megatron.core"));
    fields.put("modules_to_save", NODES.nullNode());
    fields.put("peft_type", NODES.textNode("LORA"));
    fields.put("r", NODES.numberNode(config.r()));
    fields.put("rank_pattern", NODES.objectNode());
    fields.put("revision", NODES.nullNode());
    fields.put("target_modules", targetModulesJson(config.targetModules(), adaptedModules));
    fields.put("task_type", NODES.textNode("CAUSAL_LM"));
    fields.put("use_dora", NODES.booleanNode(false));
    fields.put("use_rslora", NODES.booleanNode(config.useRslora()));
    ObjectNode root = NODES.objectNode();
    root.setAll(fields);
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
    printer.indentArraysWith(new DefaultIndenter("  ", "\n"));
    printer.indentObjectsWith(new DefaultIndenter("  ", "\n"));
    try {
      return MAPPER.writer(printer).writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise an adapter config", e);
    }
  }

  /** Writes {@link #toJson} to {@code dir/adapter_config.json}. */
  public static void write(Path dir, LoraConfig config, Collection<String> adaptedModules) {
    Path file = dir.resolve(FILE_NAME);
    try {
      Files.writeString(file, toJson(config, adaptedModules), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the peft adapter config " + file, e);
    }
  }

  private static JsonNode targetModulesJson(TargetModules targets, Collection<String> adapted) {
    return switch (targets) {
      case TargetModules.Regex regex -> NODES.textNode(regex.regex());
      case TargetModules.Names names -> stringArray(names.names());
      case TargetModules.AllLinear all -> {
        if (adapted.isEmpty()) {
          throw new IllegalArgumentException(
              "an all-linear adapter config needs the adapted module names to be written");
        }
        yield stringArray(adapted.stream().sorted().toList());
      }
    };
  }

  private static ArrayNode stringArray(List<String> values) {
    ArrayNode array = NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }

  private static TargetModules targetModules(JsonNode node) {
    if (node == null || node.isNull()) {
      throw new IllegalArgumentException(
          "target_modules is missing; list the adapted layers or use \"all-linear\"");
    }
    if (node.isTextual()) {
      return TargetModules.fromString(node.asText());
    }
    if (node.isArray()) {
      List<String> names = new ArrayList<>();
      for (JsonNode element : node) {
        if (!element.isTextual()) {
          throw new IllegalArgumentException(
              "target_modules must hold strings, found " + element + " in " + node);
        }
        names.add(element.asText());
      }
      return TargetModules.names(names);
    }
    throw new IllegalArgumentException(
        "target_modules must be a list of names or a string, got " + node);
  }

  private static void checkInit(JsonNode init) {
    if (init == null || init.isNull() || init.isBoolean()) {
      return;
    }
    String value = init.asText().toLowerCase(Locale.ROOT);
    for (String rewriting : BASE_REWRITING_INITS) {
      if (value.startsWith(rewriting)) {
        throw new IllegalArgumentException(
            "init_lora_weights is \""
                + init.asText()
                + "\": that initialisation rewrites the base weights, so the adapter only works"
                + " with the base model peft modified; convert it to a plain LoRA adapter first"
                + " (peft's path_initial_model_for_weight_conversion)");
      }
    }
  }

  /** Whether a field holds something other than peft's "off": null, false, {}, [] or "". */
  private static boolean isSet(JsonNode value) {
    if (value == null || value.isNull()) {
      return false;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isContainerNode() || value.isTextual()) {
      return !value.isEmpty() && !(value.isTextual() && value.asText().isEmpty());
    }
    return true;
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static double number(JsonNode root, String field, double fallback) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isNumber()) {
      throw new IllegalArgumentException(field + " must be a number, got " + node);
    }
    return node.doubleValue();
  }

  private static boolean bool(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new IllegalArgumentException(field + " must be true or false, got " + node);
    }
    return node.booleanValue();
  }

  private static JsonNode textOrNull(String value) {
    return value == null ? NODES.nullNode() : NODES.textNode(value);
  }

  /** An integral alpha is written as an integer, as Python writes peft's {@code int} default. */
  private static JsonNode number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return NODES.numberNode((long) value);
    }
    return NODES.numberNode(value);
  }
}
