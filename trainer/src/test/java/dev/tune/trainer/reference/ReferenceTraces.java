package dev.tune.trainer.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the traces under {@code src/test/resources/reference-traces} (made by its {@code
 * make_traces.py} with torch, transformers and bitsandbytes). Tensors are {@code {"dtype", "shape",
 * "data"}} with base64 little-endian data.
 */
public final class ReferenceTraces {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReferenceTraces() {}

  /** The JSON traces in {@code reference-traces/<kind>}, sorted; empty when there are none. */
  public static List<Path> list(String kind) {
    URL root = ReferenceTraces.class.getClassLoader().getResource("reference-traces/" + kind);
    if (root == null) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode read(Path path) {
    try {
      return JSON.readTree(path.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Shape shape(JsonNode tensor) {
    JsonNode dims = tensor.get("shape");
    if (!dims.isArray()) {
      throw new IllegalArgumentException("trace tensor shape must be a JSON array, got " + dims);
    }
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).asLong();
    }
    return new Shape(shape);
  }

  public static float[] floats(JsonNode tensor) {
    ByteBuffer bytes = bytes(tensor);
    String dtype = tensor.get("dtype").asText();
    if (dtype.equals("float16")) {
      float[] out = new float[bytes.remaining() / 2];
      for (int i = 0; i < out.length; i++) {
        out[i] = Float.float16ToFloat(bytes.getShort());
      }
      return out;
    }
    requireDtype(tensor, "float32");
    float[] out = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(out);
    return out;
  }

  public static int[] unsignedBytes(JsonNode tensor) {
    requireDtype(tensor, "uint8");
    ByteBuffer bytes = bytes(tensor);
    int[] out = new int[bytes.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.get() & 0xFF;
    }
    return out;
  }

  public static long[] longs(JsonNode tensor) {
    requireDtype(tensor, "int64");
    ByteBuffer bytes = bytes(tensor);
    long[] out = new long[bytes.remaining() / 8];
    bytes.asLongBuffer().get(out);
    return out;
  }

  /** A float tensor of the trace as an fp32 array. */
  public static NDArray floatArray(JsonNode tensor, NDManager manager) {
    return manager.create(floats(tensor), shape(tensor));
  }

  /** A float32 tensor in the trace format, for traces written by tests. */
  public static ObjectNode encode(float[] values, Shape shape) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    ObjectNode node = JSON.createObjectNode();
    node.put("dtype", "float32");
    ArrayNode dims = node.putArray("shape");
    for (long dim : shape.getShape()) {
      dims.add(dim);
    }
    node.put("data", Base64.getEncoder().encodeToString(bytes.array()));
    return node;
  }

  /** A new empty JSON object. */
  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  private static ByteBuffer bytes(JsonNode tensor) {
    return ByteBuffer.wrap(Base64.getDecoder().decode(tensor.get("data").asText()))
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void requireDtype(JsonNode tensor, String dtype) {
    String actual = tensor.get("dtype").asText();
    if (!actual.equals(dtype)) {
      throw new IllegalArgumentException("trace tensor is " + actual + ", expected " + dtype);
    }
  }
}
