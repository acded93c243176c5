package dev.tune.trainer.safetensors;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes tensors in the safetensors format, as the reference implementation lays them out: the
 * tensors of a file sorted by descending dtype alignment then name, a compact JSON header with
 * {@code __metadata__} first, padded with spaces to a multiple of 8 bytes.
 *
 * <p>Tensor bytes are streamed to disk one tensor at a time. Every file is written to a temporary
 * name in the target directory, forced to disk and then atomically renamed, so a crash never leaves
 * a half-written file under a final name.
 */
public final class SafetensorsWriter {

  /** transformers' default {@code max_shard_size="5GB"}: 5 * 10^9 bytes. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  private static final Pattern SHARD_FILE = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final long maxShardBytes;
  private final Map<String, String> metadata;

  private SafetensorsWriter(Builder builder) {
    this.maxShardBytes = builder.maxShardBytes;
    this.metadata = Map.copyOf(builder.metadata);
  }

  /** A writer with 5 GB shards and metadata {@code {"format": "pt"}}. */
  public static SafetensorsWriter create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public long maxShardBytes() {
    return maxShardBytes;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Writes {@code tensors} to {@code file} (any name, one file, no sharding), replacing it.
   *
   * @return the file written
   */
  public Path writeFile(Path file, Iterable<? extends TensorSource> tensors) {
    List<TensorSource> all = collect(tensors);
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      writeAtomically(file, all);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Writes {@code tensors} as the weights of a model directory: {@code model.safetensors} if they
   * fit in one shard, else {@code model-00001-of-0000N.safetensors} files split as huggingface_hub
   * splits them (each shard byte-identical to its output for the same tensors) plus {@code
   * model.safetensors.index.json} written as transformers writes it. Weight files of an earlier
   * save that this one does not replace are deleted afterwards.
   *
   * @return the files written, the index last
   */
  public List<Path> writeCheckpoint(Path modelDir, Iterable<? extends TensorSource> tensors) {
    List<TensorSource> all = collect(tensors);
    List<List<TensorSource>> shards = plan(all);
    List<Path> written = new ArrayList<>();
    try {
      Files.createDirectories(modelDir);
      if (shards.size() == 1) {
        Path file = modelDir.resolve(CheckpointReader.SINGLE_FILE);
        writeAtomically(file, shards.get(0));
        written.add(file);
      } else {
        Map<String, String> weightMap = new TreeMap<>();
        long totalSize = 0;
        for (int i = 0; i < shards.size(); i++) {
          String name =
              String.format(
                  java.util.Locale.ROOT, "model-%05d-of-%05d.safetensors", i + 1, shards.size());
          Path file = modelDir.resolve(name);
          writeAtomically(file, shards.get(i));
          written.add(file);
          for (TensorSource t : shards.get(i)) {
            weightMap.put(t.name(), name);
            totalSize += t.byteLength();
          }
        }
        Path index = modelDir.resolve(CheckpointReader.INDEX_FILE);
        writeIndex(index, totalSize, weightMap);
        written.add(index);
      }
      deleteStaleWeights(modelDir, written);
      return List.copyOf(written);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint to " + modelDir, e);
    }
  }

  /** {@link #writeFile(Path, Iterable)} for named arrays, each in its own type. */
  public Path writeFile(Path file, Map<String, NDArray> arrays) {
    return writeFile(file, sources(arrays));
  }

  /**
   * {@link #writeCheckpoint(Path, Iterable)} for named arrays (in the map's order), each in its own
   * type.
   */
  public List<Path> writeCheckpoint(Path modelDir, Map<String, NDArray> arrays) {
    return writeCheckpoint(modelDir, sources(arrays));
  }

  private static List<TensorSource> sources(Map<String, NDArray> arrays) {
    List<TensorSource> sources = new ArrayList<>(arrays.size());
    arrays.forEach((name, array) -> sources.add(TensorSource.of(name, array)));
    return sources;
  }

  private static List<TensorSource> collect(Iterable<? extends TensorSource> tensors) {
    List<TensorSource> all = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (TensorSource t : tensors) {
      if (t.name().equals(SafetensorsHeader.METADATA_KEY)) {
        throw new IllegalArgumentException(
            "'" + SafetensorsHeader.METADATA_KEY + "' is reserved and cannot name a tensor");
      }
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("tensor '" + t.name() + "' is given twice");
      }
      all.add(t);
    }
    return all;
  }

  /**
   * Splits like huggingface_hub's {@code split_state_dict_into_shards_factory} (what transformers'
   * {@code save_pretrained} uses): in the given order, a tensor larger than a shard becomes a shard
   * of its own right away, the others fill the current shard until the next one would overflow it.
   */
  private List<List<TensorSource>> plan(List<TensorSource> all) {
    List<List<TensorSource>> shards = new ArrayList<>();
    List<TensorSource> current = new ArrayList<>();
    long currentBytes = 0;
    for (TensorSource t : all) {
      long bytes = t.byteLength();
      if (bytes > maxShardBytes) {
        shards.add(List.of(t));
        continue;
      }
      if (currentBytes + bytes > maxShardBytes) {
        shards.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(t);
      currentBytes += bytes;
    }
    if (!current.isEmpty() || shards.isEmpty()) {
      shards.add(current);
    }
    return shards;
  }

  private void writeAtomically(Path file, List<TensorSource> tensors) throws IOException {
    List<TensorSource> ordered = new ArrayList<>(tensors);
    ordered.sort(
        Comparator.comparingInt((TensorSource t) -> -t.dtype().alignmentRank())
            .thenComparing(TensorSource::name));
    byte[] header = header(ordered);
    Path temp = temporarySibling(file);
    try (FileChannel out =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      prefix.putLong(header.length).flip();
      writeAll(out, prefix);
      writeAll(out, ByteBuffer.wrap(header));
      for (TensorSource t : ordered) {
        long before = out.position();
        t.writeTo(out);
        long wrote = out.position() - before;
        if (wrote != t.byteLength()) {
          throw new IllegalStateException(
              "tensor '" + t.name() + "' wrote " + wrote + " bytes instead of " + t.byteLength());
        }
      }
      out.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    moveIntoPlace(temp, file);
  }

  private byte[] header(List<TensorSource> ordered) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
      new TreeMap<>(metadata).forEach(meta::put);
    }
    long offset = 0;
    for (TensorSource t : ordered) {
      ObjectNode entry = root.putObject(t.name());
      entry.put("dtype", t.dtype().name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long end = offset + t.byteLength();
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a safetensors header", e);
    }
    int padded = (json.length + 7) / 8 * 8;
    byte[] header = new byte[padded];
    System.arraycopy(json, 0, header, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      header[i] = ' ';
    }
    return header;
  }

  /** Written like transformers does: sorted keys, two-space indent, trailing newline. */
  private static void writeIndex(Path index, long totalSize, Map<String, String> weightMap)
      throws IOException {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putObject("metadata").put("total_size", totalSize);
    ObjectNode map = root.putObject("weight_map");
    weightMap.forEach(map::put);
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));
    String json = JSON.writer(printer).writeValueAsString(root) + "\n";
    Path temp = temporarySibling(index);
    try {
      Files.writeString(temp, json, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    moveIntoPlace(temp, index);
  }

  private static Path temporarySibling(Path file) {
    return file.resolveSibling(
        "."
            + file.getFileName()
            + ".tmp-"
            + ProcessHandle.current().pid()
            + "-"
            + System.nanoTime());
  }

  private static void moveIntoPlace(Path temp, Path file) throws IOException {
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  private static void deleteStaleWeights(Path modelDir, List<Path> written) throws IOException {
    Set<Path> keep = new HashSet<>();
    for (Path p : written) {
      keep.add(p.getFileName());
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(modelDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        boolean weights =
            name.equals(CheckpointReader.SINGLE_FILE)
                || name.equals(CheckpointReader.INDEX_FILE)
                || SHARD_FILE.matcher(name).matches();
        if (weights && !keep.contains(entry.getFileName())) {
          Files.delete(entry);
        }
      }
    }
  }

  private static void writeAll(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  /** Settings of a {@link SafetensorsWriter}. */
  public static final class Builder {

    private long maxShardBytes = DEFAULT_MAX_SHARD_BYTES;
    private Map<String, String> metadata = new LinkedHashMap<>(Map.of("format", "pt"));

    private Builder() {}

    /** Largest shard before a checkpoint is split (a bigger single tensor still gets one). */
    public Builder maxShardBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxShardBytes must be positive, got " + bytes);
      }
      this.maxShardBytes = bytes;
      return this;
    }

    /** The {@code __metadata__} of every file written (default {@code {"format": "pt"}}). */
    public Builder metadata(Map<String, String> metadata) {
      this.metadata = new LinkedHashMap<>(metadata);
      return this;
    }

    public SafetensorsWriter build() {
      return new SafetensorsWriter(this);
    }
  }
}
