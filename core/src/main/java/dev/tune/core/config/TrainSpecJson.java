package dev.tune.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link TrainSpec} as it travels to the container: a JSON tree with the keys of {@code
 * tune.yaml}, or the same tree flattened to dotted keys for SageMaker hyperparameters ({@code
 * training.learning_rate -> "2.0E-4"}). Reading goes through the same binding and validation as
 * {@code tune.yaml}, so a bad value is reported with its key path.
 *
 * <p>The Hugging Face token is never written: the container takes it from its environment ({@code
 * HF_TOKEN}). A token in a tree that is read is ignored for the same reason.
 *
 * <pre>{@code
 * ObjectNode tree = TrainSpecJson.write(config.trainSpec());
 * TrainSpec again = TrainSpecJson.read(tree);
 * Map<String, String> hyperparameters = TrainSpecJson.toFlat(config.trainSpec());
 * }</pre>
 */
public final class TrainSpecJson {
  /** Keys whose values are lists; flattened they are JSON arrays. */
  static final Set<String> LIST_KEYS = Set.of("lora.target_modules", "output.sample_prompts");

  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainSpecJson() {}

  /**
   * The spec's sections (model, quantization, lora, data, training, output), the token left out.
   */
  public static ObjectNode write(TrainSpec spec) {
    return new ConfigRenderer(Set.of()).renderTrain(spec);
  }

  /**
   * Reads a tree written by {@link #write} or {@link TuneConfig#toJsonTree()} (whose provider and
   * deploy sections are skipped); relative paths resolve against the working directory.
   *
   * @throws InvalidConfigException listing every problem of the tree
   */
  public static TrainSpec read(JsonNode tree) {
    return read(tree, "train spec", Path.of("").toAbsolutePath());
  }

  /**
   * Reads a tree; problems are reported under {@code source} and relative paths resolve against
   * {@code baseDir}.
   *
   * @throws InvalidConfigException listing every problem of the tree
   */
  public static TrainSpec read(JsonNode tree, String source, Path baseDir) {
    if (!(tree instanceof ObjectNode object)) {
      throw new BadInputException(
          source + " holds " + tree.getNodeType() + ", not a JSON object of tune.yaml sections.",
          "Write it with TrainSpecJson.write.");
    }
    ObjectNode copy = object.deepCopy();
    if (copy.get("model") instanceof ObjectNode model) {
      model.remove("token");
    }
    // JSON is YAML: the text goes through the tune.yaml reader, so problems carry the line and
    // column of the pretty-printed tree.
    Problems problems = new Problems(source);
    YamlNode.Mapping root =
        YamlTreeReader.read(pretty(copy).getBytes(StandardCharsets.UTF_8), problems)
            .orElseThrow(
                () -> {
                  problems.throwIfAny();
                  return new IllegalStateException("unreadable JSON without a problem");
                });
    Reading reading = new Reading(problems, baseDir.toAbsolutePath());
    Optional<TrainSpec> spec =
        new ConfigBinder(reading, root, Optional.empty(), Set.of()).bindTrain();
    problems.throwIfAny();
    return spec.orElseThrow();
  }

  /**
   * Reads a JSON file such as a job's {@code spec.json}; relative paths resolve against its
   * directory.
   *
   * @throws InvalidConfigException listing every problem of the file
   * @throws BadInputException if the file is missing or not JSON
   */
  public static TrainSpec read(Path file) {
    JsonNode tree;
    try {
      tree = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new BadInputException(
          file + " does not exist.", "Write the train spec there before starting the job.", e);
    } catch (IOException e) {
      throw new BadInputException(
          file + " is not readable JSON: " + e.getMessage(),
          "Write it with TrainSpecJson.write.",
          e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return read(tree, file.toString(), dir != null ? dir : Path.of("").toAbsolutePath());
  }

  /**
   * The tree of {@link #write} as dotted keys with string values, sorted by key. Lists become JSON
   * arrays ({@code lora.target_modules -> ["q_proj","v_proj"]}).
   */
  public static Map<String, String> toFlat(TrainSpec spec) {
    Map<String, String> flat = new TreeMap<>();
    flatten("", write(spec), flat);
    return flat;
  }

  /**
   * Reads dotted keys back into a spec, as SageMaker hands hyperparameters to the container.
   *
   * @throws InvalidConfigException listing every problem of the values
   * @throws BadInputException if the keys do not form a tree (a key is both a value and a section)
   */
  public static TrainSpec fromFlat(Map<String, String> flat) {
    return read(unflatten(flat), "hyperparameters", Path.of("").toAbsolutePath());
  }

  /** The tree that dotted keys stand for; the inverse of {@link #toFlat} on its output. */
  static ObjectNode unflatten(Map<String, String> flat) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, String> entry : new TreeMap<>(flat).entrySet()) {
      String key = entry.getKey();
      String[] parts = key.split("\\.", -1);
      ObjectNode parent = root;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonNode child = parent.get(parts[i]);
        if (child == null) {
          parent = parent.putObject(parts[i]);
        } else if (child instanceof ObjectNode o) {
          parent = o;
        } else {
          throw notATree(key);
        }
      }
      String last = parts[parts.length - 1];
      if (parent.has(last)) {
        throw notATree(key);
      }
      parent.set(last, value(key, entry.getValue()));
    }
    return root;
  }

  private static JsonNode value(String key, String text) {
    if (LIST_KEYS.contains(key) && text.strip().startsWith("[")) {
      try {
        return JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw new BadInputException(
            "Hyperparameter " + key + " is not a JSON list: " + e.getOriginalMessage(),
            "Write it as a JSON array of strings, e.g. [\"q_proj\",\"v_proj\"].",
            e);
      }
    }
    return JsonNodeFactory.instance.textNode(text);
  }

  private static BadInputException notATree(String key) {
    return new BadInputException(
        "Hyperparameter "
            + key
            + " clashes with another key: a key cannot be a value and a section.",
        "Pass the hyperparameters written by TrainSpecJson.toFlat.");
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> flat) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
        flatten(key, field.getValue(), flat);
      }
    } else if (node.isArray()) {
      flat.put(prefix, node.toString());
    } else {
      flat.put(prefix, node.asText());
    }
  }

  private static String pretty(JsonNode tree) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }
}
