package dev.tune.trainer.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by the reference implementation (safetensors 0.8.0 with torch 2.11, and
 * huggingface_hub's sharding) under test resources, made by {@code make_fixtures.py} there.
 */
class SafetensorsInteropTest {

  private static NDManager manager;

  @TempDir Path dir;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static Path resource(String name) {
    try {
      return Path.of(SafetensorsInteropTest.class.getResource("/safetensors/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static float[] floats(SafetensorsFile file, String name) {
    try (NDArray a = file.load(name, manager);
        NDArray f = a.toType(DataType.FLOAT32, true)) {
      return f.toFloatArray();
    }
  }

  @Test
  void readsEveryDtypeTheReferenceWrites() {
    try (SafetensorsFile file = SafetensorsFile.open(resource("dtypes.safetensors"))) {
      assertThat(file.metadata()).isEqualTo(Map.of("format", "pt"));
      assertThat(file.names()).hasSize(17).startsWith("u64", "i64", "f64");
      try (NDArray f64 = file.load("f64", manager)) {
        assertThat(f64.getDataType()).isEqualTo(DataType.FLOAT64);
        assertThat(f64.getShape()).isEqualTo(new Shape(2, 2));
        assertThat(f64.toDoubleArray()).containsExactly(1.5, -2.25, 1e300, -0.0);
      }
      assertThat(floats(file, "f32")).containsExactly(-1f, -0.5f, 0f, 0.5f, 1f, 1.5f);
      assertThat(floats(file, "f16")).containsExactly(1f, -2.5f, 65504f, 0x1p-14f);
      try (NDArray bf16 = file.load("bf16", manager)) {
        assertThat(bf16.getDataType()).isEqualTo(DataType.FLOAT32); // widened exactly
        assertThat(bf16.toFloatArray())
            .containsExactly(
                1f, -3.140625f, 0x1p100f, -0x1p-100f, Float.intBitsToFloat(0x3DCD0000));
      }
      try (NDArray i64 = file.load("i64", manager);
          NDArray i32 = file.load("i32", manager);
          NDArray i16 = file.load("i16", manager);
          NDArray i8 = file.load("i8", manager);
          NDArray u8 = file.load("u8", manager);
          NDArray bool = file.load("bool", manager);
          NDArray u16 = file.load("u16", manager);
          NDArray u32 = file.load("u32", manager)) {
        assertThat(i64.toLongArray()).containsExactly(-(1L << 62), 7, 0);
        assertThat(i32.getShape()).isEqualTo(new Shape(1, 2));
        assertThat(i32.toIntArray()).containsExactly(-5, Integer.MAX_VALUE);
        assertThat(i16.getDataType()).isEqualTo(DataType.INT32);
        assertThat(i16.toIntArray()).containsExactly(-32768, 12345);
        assertThat(i8.toByteArray()).containsExactly(-128, 127, 0);
        assertThat(u8.getDataType()).isEqualTo(DataType.UINT8);
        assertThat(u8.toUint8Array()).containsExactly(0, 255, 17);
        assertThat(bool.toBooleanArray()).containsExactly(true, false, true);
        assertThat(u16.toIntArray()).containsExactly(0, 65535);
        assertThat(u32.getDataType()).isEqualTo(DataType.INT64);
        assertThat(u32.toLongArray()).containsExactly(0L, 4294967295L);
      }
      assertThat(floats(file, "f8_e4m3")).containsExactly(0.5f, -448f, 0x1p-9f, 1.125f);
      assertThat(floats(file, "f8_e5m2"))
          .containsExactly(0.5f, -57344f, 0x1p-16f, Float.POSITIVE_INFINITY);
      try (NDArray scalar = file.load("scalar", manager);
          NDArray empty = file.load("empty", manager)) {
        assertThat(scalar.getShape()).isEqualTo(new Shape());
        assertThat(scalar.getFloat()).isEqualTo(42f);
        assertThat(empty.getShape()).isEqualTo(new Shape(0, 3));
      }
      assertThatThrownBy(() -> file.load("u64", manager))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("U64, which no DJL type holds exactly");
      assertThat(file.bytes("u64").order(ByteOrder.LITTLE_ENDIAN).getLong())
          .isEqualTo(Long.MIN_VALUE);
    }
  }

  @Test
  void rewritingTheReferenceFileGivesTheSameBytes() throws IOException {
    Path original = resource("dtypes.safetensors");
    try (SafetensorsFile file = SafetensorsFile.open(original)) {
      List<TensorSource> copies = new ArrayList<>();
      for (String name : file.names()) {
        copies.add(TensorSource.copyOf(file, name));
      }
      Path rewritten =
          SafetensorsWriter.create().writeFile(dir.resolve("copy.safetensors"), copies);
      assertThat(Files.readAllBytes(rewritten)).containsExactly(Files.readAllBytes(original));
    }
  }

  @Test
  void readsACheckpointShardedByHuggingfaceHubAndShardsItTheSameWay() throws IOException {
    Path source = resource("sharded/model.safetensors.index.json").getParent();
    List<String> stateDictOrder =
        List.of(
            "model.embed_tokens.weight",
            "model.layers.0.self_attn.q_proj.weight",
            "model.layers.0.mlp.up_proj.weight",
            "model.norm.weight",
            "lm_head.weight");
    try (CheckpointReader reader = CheckpointReader.open(source)) {
      assertThat(reader.names()).containsExactlyInAnyOrderElementsOf(stateDictOrder);
      assertThat(reader.totalSize()).hasValue(174);
      assertThat(reader.files()).hasSize(2);
      try (NDArray embed = reader.load("model.embed_tokens.weight", manager);
          NDArray norm = reader.load("model.norm.weight", manager);
          NDArray up = reader.load("model.layers.0.mlp.up_proj.weight", manager)) {
        assertThat(embed.getShape()).isEqualTo(new Shape(4, 3));
        assertThat(embed.toFloatArray()[11]).isEqualTo(11f);
        assertThat(reader.info("model.norm.weight").dtype()).isEqualTo(SafetensorsDtype.BF16);
        assertThat(norm.toFloatArray()).containsExactly(1f, 1f, 1f);
        assertThat(up.toFloatArray()[0]).isEqualTo(-4f);
      }
      List<TensorSource> copies = new ArrayList<>();
      for (String name : stateDictOrder) {
        copies.add(TensorSource.copyOf(reader, name));
      }
      SafetensorsWriter.builder().maxShardBytes(100).build().writeCheckpoint(dir, copies);
      for (String shard :
          List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
        assertThat(Files.readAllBytes(dir.resolve(shard)))
            .as(shard)
            .containsExactly(Files.readAllBytes(source.resolve(shard)));
      }
      JsonMapper json = JsonMapper.builder().build();
      assertThat(json.readTree(dir.resolve(CheckpointReader.INDEX_FILE).toFile()))
          .isEqualTo(json.readTree(source.resolve(CheckpointReader.INDEX_FILE).toFile()));
    }
  }
}
