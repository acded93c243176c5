package dev.tune.trainer.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The GPU machines of SageMaker and Vertex AI with dated, approximate prices: the table shipped
 * with tune ({@code instances.json} next to this class), optionally overridden by a user's file of
 * the same layout, whose entries replace those of the same provider and name and add new ones.
 *
 * @param asOf when the prices were taken (the user file's date when it gives one)
 * @param note how far to trust them
 * @param instances every machine, in table order
 */
public record InstanceCatalog(String asOf, String note, List<InstanceType> instances) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RESOURCE = "instances.json";

  public InstanceCatalog {
    instances = List.copyOf(instances);
  }

  /** The table shipped with tune. */
  public static InstanceCatalog builtIn() {
    try (InputStream in = InstanceCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the instance table " + RESOURCE + " is missing");
      }
      return parse(JSON.readTree(in), "the built-in instance table");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in instance table", e);
    }
  }

  /** The built-in table with {@code file}'s entries over it. */
  public static InstanceCatalog withOverrides(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new BadInputException(
          "cannot read the instance table " + file + ": " + e.getMessage(),
          "write it as JSON in the layout of tune's built-in instances.json",
          e);
    }
    return builtIn().overriddenBy(parse(root, file.toString()));
  }

  /** This table with {@code other}'s entries replacing or adding to its own. */
  public InstanceCatalog overriddenBy(InstanceCatalog other) {
    Map<String, InstanceType> merged = new LinkedHashMap<>();
    for (InstanceType t : instances) {
      merged.put(t.provider() + "/" + t.name(), t);
    }
    for (InstanceType t : other.instances) {
      merged.put(t.provider() + "/" + t.name(), t);
    }
    return new InstanceCatalog(other.asOf, other.note, new ArrayList<>(merged.values()));
  }

  /**
   * The machine of this name (any provider), e.g. {@code ml.g5.12xlarge}, {@code g2-standard-48}.
   */
  public Optional<InstanceType> find(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    return instances.stream()
        .filter(t -> t.name().toLowerCase(Locale.ROOT).equals(wanted))
        .findFirst();
  }

  /** The machines of one provider ({@code sagemaker}, {@code vertex}), cheapest first. */
  public List<InstanceType> byPrice(String provider) {
    return instances.stream()
        .filter(t -> t.provider().equals(provider))
        .sorted(Comparator.comparingDouble(InstanceType::hourlyUsd))
        .toList();
  }

  /** Every machine, cheapest first. */
  public List<InstanceType> byPrice() {
    return instances.stream().sorted(Comparator.comparingDouble(InstanceType::hourlyUsd)).toList();
  }

  private static InstanceCatalog parse(JsonNode root, String source) {
    if (root == null || !root.isObject() || !root.path("providers").isObject()) {
      throw new BadInputException(
          source + " is not an instance table",
          "write a JSON object with \"providers\": {\"sagemaker\": {\"region\": ..,"
              + " \"instances\": [..]}, ...}");
    }
    List<InstanceType> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> provider : root.get("providers").properties()) {
      String region = provider.getValue().path("region").asText("unknown region");
      for (JsonNode i : provider.getValue().path("instances")) {
        String name = i.path("name").asText("");
        if (name.isEmpty()
            || !i.path("gpus").canConvertToInt()
            || !i.path("hourly_usd").isNumber()
            || !i.path("gpu_memory_mib").isNumber()) {
          throw new BadInputException(
              source + ": an instance lacks a field it needs: " + i,
              "give every instance \"name\", \"gpus\", \"gpu_memory_mib\" and \"hourly_usd\"");
        }
        out.add(
            new InstanceType(
                provider.getKey(),
                name,
                i.get("gpus").intValue(),
                i.path("gpu").asText("GPU"),
                i.get("gpu_memory_mib").longValue() << 20,
                i.path("gpu_fp16_tflops").asDouble(0),
                i.get("hourly_usd").doubleValue(),
                region));
      }
    }
    return new InstanceCatalog(
        root.path("as_of").asText("undated"), root.path("note").asText(""), out);
  }
}
