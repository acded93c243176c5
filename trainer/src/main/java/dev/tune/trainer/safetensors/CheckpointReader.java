package dev.tune.trainer.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tune.core.error.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The weights of a Hugging Face model directory: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json} ({@code weight_map}: tensor name to shard file). Every
 * indexed tensor is checked to exist in its shard at {@link #open}; reading then works the same
 * whichever file holds a tensor.
 */
public final class CheckpointReader implements AutoCloseable {

  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private static final JsonMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final Path directory;
  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> fileOf;
  private final OptionalLong totalSize;

  private CheckpointReader(
      Path directory,
      List<SafetensorsFile> files,
      Map<String, SafetensorsFile> fileOf,
      OptionalLong totalSize) {
    this.directory = directory;
    this.files = files;
    this.fileOf = fileOf;
    this.totalSize = totalSize;
  }

  /**
   * Opens the checkpoint in {@code modelDir}, preferring {@code model.safetensors} when both it and
   * an index exist (as transformers does).
   *
   * @throws InvalidSafetensorsException if a file or the index breaks the format
   * @throws NotFoundException if the directory holds neither file
   */
  public static CheckpointReader open(Path modelDir) {
    Path single = modelDir.resolve(SINGLE_FILE);
    if (Files.isRegularFile(single)) {
      SafetensorsFile file = SafetensorsFile.open(single);
      Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
      for (String name : file.names()) {
        fileOf.put(name, file);
      }
      return new CheckpointReader(
          modelDir, List.of(file), Collections.unmodifiableMap(fileOf), OptionalLong.empty());
    }
    Path index = modelDir.resolve(INDEX_FILE);
    if (Files.isRegularFile(index)) {
      return openSharded(modelDir, index);
    }
    throw new NotFoundException(
        "no " + SINGLE_FILE + " or " + INDEX_FILE + " in " + modelDir,
        "Point tune at a Hugging Face model directory saved with safetensors (transformers'"
            + " default since 4.30); convert .bin checkpoints with save_pretrained first.");
  }

  private static CheckpointReader openSharded(Path modelDir, Path index) {
    JsonNode root;
    try {
      root = JSON.readTree(index.toFile());
    } catch (JacksonException e) {
      throw new InvalidSafetensorsException(
          index, "index is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + index, e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidSafetensorsException(index, "index is not a JSON object");
    }
    JsonNode weightMap = root.get("weight_map");
    if (weightMap == null || !weightMap.isObject()) {
      throw new InvalidSafetensorsException(index, "index has no 'weight_map' object");
    }
    OptionalLong totalSize = OptionalLong.empty();
    JsonNode metadata = root.get("metadata");
    if (metadata != null && metadata.has("total_size")) {
      JsonNode size = metadata.get("total_size");
      if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
        throw new InvalidSafetensorsException(index, "metadata.total_size is not a size: " + size);
      }
      totalSize = OptionalLong.of(size.longValue());
    }
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
        String tensor = entry.getKey();
        JsonNode fileName = entry.getValue();
        if (!fileName.isTextual()) {
          throw new InvalidSafetensorsException(
              index, "weight_map entry '" + tensor + "' is not a file name: " + fileName);
        }
        String shardName = checkShardName(index, tensor, fileName.textValue());
        SafetensorsFile shard = shards.get(shardName);
        if (shard == null) {
          Path shardPath = modelDir.resolve(shardName);
          if (!Files.isRegularFile(shardPath)) {
            throw new InvalidSafetensorsException(
                index, "shard '" + shardName + "' (of tensor '" + tensor + "') does not exist");
          }
          shard = SafetensorsFile.open(shardPath);
          shards.put(shardName, shard);
        }
        if (!shard.contains(tensor)) {
          throw new InvalidSafetensorsException(
              index,
              "tensor '"
                  + tensor
                  + "' is indexed in '"
                  + shardName
                  + "', which has no such tensor");
        }
        fileOf.put(tensor, shard);
      }
    } catch (RuntimeException e) {
      for (SafetensorsFile shard : shards.values()) {
        try {
          shard.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    return new CheckpointReader(
        modelDir, List.copyOf(shards.values()), Collections.unmodifiableMap(fileOf), totalSize);
  }

  /** Shard names must be plain files of the model directory. */
  private static String checkShardName(Path index, String tensor, String name) {
    if (name.isEmpty()
        || name.contains("/")
        || name.contains("\\")
        || name.equals(".")
        || name.equals("..")) {
      throw new InvalidSafetensorsException(
          index,
          "weight_map entry '"
              + tensor
              + "' names '"
              + name
              + "', not a file in the model directory");
    }
    return name;
  }

  public Path directory() {
    return directory;
  }

  /** The safetensors files read, in index order. */
  public List<Path> files() {
    List<Path> paths = new ArrayList<>();
    for (SafetensorsFile f : files) {
      paths.add(f.path());
    }
    return paths;
  }

  /** {@code metadata.total_size} of the index, if sharded and given. */
  public OptionalLong totalSize() {
    return totalSize;
  }

  /** The {@code __metadata__} of the (first) safetensors file. */
  public Map<String, String> metadata() {
    return files.isEmpty() ? Map.of() : files.get(0).metadata();
  }

  /** Tensor names: header order of a single file, or the index's order. */
  public Set<String> names() {
    return fileOf.keySet();
  }

  public boolean contains(String name) {
    return fileOf.containsKey(name);
  }

  public TensorInfo info(String name) {
    return file(name).info(name);
  }

  /** The file that holds tensor {@code name}. */
  public Path fileOf(String name) {
    return file(name).path();
  }

  public ByteBuffer bytes(String name) {
    return file(name).bytes(name);
  }

  /** See {@link SafetensorsFile#load}. */
  public NDArray load(String name, NDManager manager) {
    return file(name).load(name, manager);
  }

  private SafetensorsFile file(String name) {
    SafetensorsFile file = fileOf.get(name);
    if (file == null) {
      throw new IllegalArgumentException(
          "checkpoint " + directory + " has no tensor '" + name + "'");
    }
    return file;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (SafetensorsFile f : files) {
      try {
        f.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
