package dev.tune.trainer.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file, checked against the same rules as the
 * reference implementation: every entry an object with a known dtype, a shape of non-negative
 * integers and {@code data_offsets} whose span equals shape times element size; the tensors tile
 * the data buffer exactly, with no overlap, gap or trailing byte.
 */
record SafetensorsHeader(Map<String, String> metadata, Map<String, TensorInfo> tensors) {

  /** The reference implementation refuses larger headers; so does this reader. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  private static final JsonMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /**
   * Parses {@code json} (the header bytes) for a file whose data buffer has {@code dataLength}
   * bytes.
   *
   * @throws InvalidSafetensorsException naming {@code path} and the rule broken
   */
  static SafetensorsHeader parse(Path path, byte[] json, long dataLength) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new InvalidSafetensorsException(
          path, "header is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (java.io.IOException e) {
      throw new InvalidSafetensorsException(path, "header cannot be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidSafetensorsException(
          path, "header is not a JSON object but " + (root == null ? "empty" : root.getNodeType()));
    }
    Map<String, String> metadata = Map.of();
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (name.equals(METADATA_KEY)) {
        metadata = parseMetadata(path, value);
      } else {
        tensors.put(name, parseEntry(path, name, value));
      }
    }
    checkCoverage(path, tensors.values(), dataLength);
    return new SafetensorsHeader(metadata, Collections.unmodifiableMap(tensors));
  }

  private static Map<String, String> parseMetadata(Path path, JsonNode node) {
    if (!node.isObject()) {
      throw new InvalidSafetensorsException(
          path, METADATA_KEY + " must be an object of strings, got " + node.getNodeType());
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual()) {
        throw new InvalidSafetensorsException(
            path,
            METADATA_KEY
                + " must map strings to strings; '"
                + e.getKey()
                + "' is "
                + e.getValue().getNodeType());
      }
      metadata.put(e.getKey(), e.getValue().textValue());
    }
    return Collections.unmodifiableMap(metadata);
  }

  private static TensorInfo parseEntry(Path path, String name, JsonNode node) {
    if (!node.isObject()) {
      throw new InvalidSafetensorsException(
          path, "entry '" + name + "' is not an object but " + node.getNodeType());
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new InvalidSafetensorsException(path, "tensor '" + name + "' has no dtype string");
    }
    SafetensorsDtype dtype =
        SafetensorsDtype.fromName(dtypeNode.textValue())
            .orElseThrow(
                () ->
                    new InvalidSafetensorsException(
                        path,
                        "tensor '"
                            + name
                            + "' has unknown dtype '"
                            + dtypeNode.textValue()
                            + "' (known: "
                            + Arrays.toString(SafetensorsDtype.values())
                            + ")"));
    long[] shape = longs(path, name, "shape", node.get("shape"), -1);
    for (long d : shape) {
      if (d < 0) {
        throw new InvalidSafetensorsException(
            path,
            "tensor '"
                + name
                + "' has negative dimension "
                + d
                + " in shape "
                + Arrays.toString(shape));
      }
    }
    long[] offsets = longs(path, name, "data_offsets", node.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (begin < 0 || end < 0) {
      throw new InvalidSafetensorsException(
          path, "tensor '" + name + "' has negative data_offsets " + Arrays.toString(offsets));
    }
    if (end < begin) {
      throw new InvalidSafetensorsException(
          path,
          "tensor '"
              + name
              + "' has data_offsets "
              + Arrays.toString(offsets)
              + " ending before they begin");
    }
    long bytes;
    try {
      long numel = 1;
      for (long d : shape) {
        numel = Math.multiplyExact(numel, d);
      }
      bytes = Math.multiplyExact(numel, dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new InvalidSafetensorsException(
          path,
          "tensor '" + name + "' has shape " + Arrays.toString(shape) + " whose size overflows");
    }
    if (bytes != end - begin) {
      throw new InvalidSafetensorsException(
          path,
          "tensor '"
              + name
              + "' is "
              + dtype
              + " "
              + Arrays.toString(shape)
              + " = "
              + bytes
              + " bytes, but its data_offsets "
              + Arrays.toString(offsets)
              + " span "
              + (end - begin));
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  /** An array of integers (of {@code length} entries unless negative). */
  private static long[] longs(Path path, String name, String field, JsonNode node, int length) {
    if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
      throw new InvalidSafetensorsException(
          path,
          "tensor '"
              + name
              + "' needs '"
              + field
              + "' as an array of "
              + (length >= 0 ? length + " " : "")
              + "integers, got "
              + node);
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new InvalidSafetensorsException(
            path,
            "tensor '"
                + name
                + "' has a non-integer or too large entry in '"
                + field
                + "': "
                + node);
      }
      out[i] = v.longValue();
    }
    return out;
  }

  /** The tensors must tile [0, dataLength) exactly. */
  private static void checkCoverage(Path path, Iterable<TensorInfo> infos, long dataLength) {
    List<TensorInfo> sorted = new ArrayList<>();
    for (TensorInfo info : infos) {
      if (info.end() > dataLength) {
        throw new InvalidSafetensorsException(
            path,
            "tensor '"
                + info.name()
                + "' data_offsets ["
                + info.begin()
                + ", "
                + info.end()
                + "] lie outside the data buffer of "
                + dataLength
                + " bytes");
      }
      sorted.add(info);
    }
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long covered = 0;
    TensorInfo previous = null;
    for (TensorInfo info : sorted) {
      if (info.begin() < covered) {
        throw new InvalidSafetensorsException(
            path,
            "tensors '"
                + previous.name()
                + "' and '"
                + info.name()
                + "' overlap ("
                + previous
                + " / "
                + info
                + ")");
      }
      if (info.begin() > covered) {
        throw new InvalidSafetensorsException(
            path,
            "bytes ["
                + covered
                + ", "
                + info.begin()
                + ") of the data buffer belong to no tensor (gap before '"
                + info.name()
                + "')");
      }
      covered = info.end();
      previous = info;
    }
    if (covered != dataLength) {
      throw new InvalidSafetensorsException(
          path,
          "the data buffer has "
              + dataLength
              + " bytes but the tensors cover only "
              + covered
              + " (trailing bytes)");
    }
  }
}
