package dev.tune.trainer.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

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

  private static byte[] le(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static byte[] lengthPrefix(int n) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
  }

  @Test
  void writesTheReferenceImplementationsBytesForItsOwnTestVector() throws IOException {
    // safetensors' Rust test "serialization": attn.0, F32 [1, 2, 3], values 0..5, no metadata.
    SafetensorsWriter writer = SafetensorsWriter.builder().metadata(Map.of()).build();
    Path file =
        writer.writeFile(
            dir.resolve("a.safetensors"),
            List.of(
                TensorSource.of(
                    "attn.0",
                    SafetensorsDtype.F32,
                    new long[] {1, 2, 3},
                    ByteBuffer.wrap(le(0, 1, 2, 3, 4, 5)))));
    byte[] json =
        "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"
            .getBytes(StandardCharsets.UTF_8);
    byte[] padding = " ".repeat((8 - json.length % 8) % 8).getBytes(StandardCharsets.UTF_8);
    assertThat(Files.readAllBytes(file))
        .containsExactly(
            concat(
                lengthPrefix(json.length + padding.length), json, padding, le(0, 1, 2, 3, 4, 5)));
  }

  @Test
  void writesTheReferenceBytesOfEmptyFiles() throws IOException {
    // The Rust test "empty": no tensors, without and with metadata {"framework": "pt"}.
    Path bare =
        SafetensorsWriter.builder()
            .metadata(Map.of())
            .build()
            .writeFile(dir.resolve("bare.safetensors"), List.of());
    assertThat(Files.readAllBytes(bare))
        .containsExactly(concat(lengthPrefix(8), "{}      ".getBytes(StandardCharsets.UTF_8)));
    Path framework =
        SafetensorsWriter.builder()
            .metadata(Map.of("framework", "pt"))
            .build()
            .writeFile(dir.resolve("framework.safetensors"), List.of());
    assertThat(Files.readAllBytes(framework))
        .containsExactly(
            concat(
                lengthPrefix(40),
                "{\"__metadata__\":{\"framework\":\"pt\"}}     ".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void roundTripsEveryDjlTypeAndOrdersTensorsLikeTheReference() {
    try (NDArray f32 =
            manager.create(new float[] {1.5f, -2f, 3.25f, 0f, 7f, -1e-8f}, new Shape(2, 3));
        NDArray f64 = manager.create(new double[] {Math.PI, -1e300});
        NDArray f16 = f32.toType(DataType.FLOAT16, true);
        NDArray i64 = manager.create(new long[] {Long.MIN_VALUE, 42});
        NDArray i32 = manager.create(new int[] {-7, Integer.MAX_VALUE, 0}, new Shape(3, 1));
        NDArray i8 = manager.create(new byte[] {-128, 127});
        NDArray u8 = manager.create(new byte[] {(byte) 255, 1}).toType(DataType.UINT8, false);
        NDArray bool = manager.create(new boolean[] {true, false, true});
        NDArray scalar = manager.create(3f);
        NDArray empty = manager.zeros(new Shape(0, 4))) {
      Path file =
          SafetensorsWriter.create()
              .writeFile(
                  dir.resolve("all.safetensors"),
                  List.of(
                      TensorSource.of("f32", f32),
                      TensorSource.of("f64", f64),
                      TensorSource.of("f16", f16),
                      TensorSource.of("i64", i64),
                      TensorSource.of("i32", i32),
                      TensorSource.of("i8", i8),
                      TensorSource.of("u8", u8),
                      TensorSource.of("bool", bool),
                      TensorSource.of("scalar", scalar),
                      TensorSource.of("empty", empty)));
      try (SafetensorsFile read = SafetensorsFile.open(file)) {
        assertThat(read.metadata()).containsExactly(Map.entry("format", "pt"));
        // Descending alignment (I64, F64, F32..., F16, I8, U8, BOOL), then by name.
        assertThat(read.names())
            .containsExactly(
                "i64", "f64", "empty", "f32", "scalar", "i32", "f16", "i8", "u8", "bool");
        assertThat(read.info("i32").shape()).containsExactly(3, 1);
        assertThat(read.info("scalar").shape()).isEmpty();
        for (Map.Entry<String, NDArray> e :
            Map.of(
                    "f32", f32, "f64", f64, "f16", f16, "i64", i64, "i32", i32, "i8", i8, "u8", u8,
                    "bool", bool, "scalar", scalar, "empty", empty)
                .entrySet()) {
          try (NDArray back = read.load(e.getKey(), manager)) {
            assertThat(back.getDataType()).as(e.getKey()).isEqualTo(e.getValue().getDataType());
            assertThat(back.getShape()).as(e.getKey()).isEqualTo(e.getValue().getShape());
            assertThat(back.contentEquals(e.getValue())).as(e.getKey()).isTrue();
          }
        }
      }
    }
  }

  @Test
  void writesFloat32ArraysAsBfloat16RoundedToNearestEven() {
    float[] values = {1f, 0.1f, -3.140625f, Float.NaN, 65536.5f, Float.intBitsToFloat(0x3F808000)};
    try (NDArray f32 = manager.create(values)) {
      Path file =
          SafetensorsWriter.create()
              .writeFile(
                  dir.resolve("bf16.safetensors"),
                  List.of(TensorSource.of("w", f32, SafetensorsDtype.BF16)));
      try (SafetensorsFile read = SafetensorsFile.open(file);
          NDArray back = read.load("w", manager)) {
        assertThat(read.info("w").dtype()).isEqualTo(SafetensorsDtype.BF16);
        ByteBuffer raw = read.bytes("w");
        short[] bits = new short[values.length];
        for (int i = 0; i < bits.length; i++) {
          bits[i] = raw.getShort();
        }
        // 0.1f = 0x3DCCCCCD rounds up to 0x3DCD; 0x3F808000 is a tie and rounds to even 0x3F80.
        assertThat(bits)
            .containsExactly(
                (short) 0x3F80,
                (short) 0x3DCD,
                (short) 0xC049,
                (short) 0x7FC0,
                (short) 0x4780,
                (short) 0x3F80);
        assertThat(back.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(back.toFloatArray()[1]).isEqualTo(Float.intBitsToFloat(0x3DCD0000));
      }
    }
  }

  @Test
  void shardsInOrderWithATensorLargerThanAShardOnItsOwn() throws IOException {
    List<TensorSource> tensors = new ArrayList<>();
    List<NDArray> arrays = new ArrayList<>();
    int[] sizes = {10, 10, 30, 5, 5, 5};
    for (int i = 0; i < sizes.length; i++) {
      float[] v = new float[sizes[i]];
      for (int j = 0; j < v.length; j++) {
        v[j] = i * 100 + j;
      }
      NDArray a = manager.create(v);
      arrays.add(a);
      tensors.add(TensorSource.of("t" + i, a));
    }
    // 80-byte shards as huggingface_hub cuts them: t2 (120 bytes) is a shard of its own at once,
    // then [t0, t1] = 80 closes when t3 would overflow it, and [t3, t4, t5] = 60 ends the list.
    List<Path> files =
        SafetensorsWriter.builder().maxShardBytes(80).build().writeCheckpoint(dir, tensors);
    assertThat(files.stream().map(p -> p.getFileName().toString()))
        .containsExactly(
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors",
            "model.safetensors.index.json");
    JsonNode index =
        JsonMapper.builder().build().readTree(dir.resolve("model.safetensors.index.json").toFile());
    assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(65 * 4);
    assertThat(index.get("weight_map").get("t2").asText())
        .isEqualTo("model-00001-of-00003.safetensors");
    assertThat(index.get("weight_map").get("t0").asText())
        .isEqualTo("model-00002-of-00003.safetensors");
    assertThat(index.get("weight_map").get("t5").asText())
        .isEqualTo("model-00003-of-00003.safetensors");
    assertThat(Files.readString(dir.resolve("model.safetensors.index.json")))
        .startsWith(
            "{\n  \"metadata\": {\n    \"total_size\": 260\n  },\n  \"weight_map\": {\n    \"t0\": ")
        .endsWith("}\n");
    try (CheckpointReader reader = CheckpointReader.open(dir)) {
      assertThat(reader.names()).containsExactly("t0", "t1", "t2", "t3", "t4", "t5");
      assertThat(reader.totalSize()).hasValue(260);
      assertThat(reader.fileOf("t4").getFileName().toString())
          .isEqualTo("model-00003-of-00003.safetensors");
      for (int i = 0; i < sizes.length; i++) {
        try (NDArray back = reader.load("t" + i, manager)) {
          assertThat(back.contentEquals(arrays.get(i))).isTrue();
        }
      }
    }
    // Saving again in one file replaces the shards and the index.
    SafetensorsWriter.create().writeCheckpoint(dir, tensors);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
    }
    try (CheckpointReader reader = CheckpointReader.open(dir)) {
      assertThat(reader.files()).hasSize(1);
      assertThat(reader.names()).hasSize(6);
    }
    arrays.forEach(NDArray::close);
  }

  @Test
  void writesAMapOfArraysInTheMapsOrder() {
    try (NDArray a = manager.create(new float[] {1, 2, 3, 4});
        NDArray b = manager.create(new int[] {5, 6, 7, 8})) {
      Map<String, NDArray> arrays = new java.util.LinkedHashMap<>();
      arrays.put("z.first", a);
      arrays.put("a.second", b);
      SafetensorsWriter.builder().maxShardBytes(16).build().writeCheckpoint(dir, arrays);
      try (CheckpointReader reader = CheckpointReader.open(dir)) {
        assertThat(reader.fileOf("z.first").getFileName().toString())
            .isEqualTo("model-00001-of-00002.safetensors");
        try (NDArray back = reader.load("a.second", manager)) {
          assertThat(back.toIntArray()).containsExactly(5, 6, 7, 8);
        }
      }
    }
  }

  @Test
  void aFailedWriteLeavesNeitherAHalfFileNorATemporaryOne() throws IOException {
    Path file = dir.resolve("x.safetensors");
    SafetensorsWriter.create()
        .writeFile(
            file,
            List.of(
                TensorSource.of(
                    "ok", SafetensorsDtype.U8, new long[] {1}, ByteBuffer.wrap(new byte[] {9}))));
    byte[] before = Files.readAllBytes(file);
    TensorSource failing =
        new TensorSource() {
          @Override
          public String name() {
            return "boom";
          }

          @Override
          public SafetensorsDtype dtype() {
            return SafetensorsDtype.U8;
          }

          @Override
          public long[] shape() {
            return new long[] {4};
          }

          @Override
          public void writeTo(WritableByteChannel out) throws IOException {
            out.write(ByteBuffer.wrap(new byte[] {1, 2}));
            throw new IOException("disk full");
          }
        };
    assertThatThrownBy(() -> SafetensorsWriter.create().writeFile(file, List.of(failing)))
        .hasRootCauseMessage("disk full");
    assertThat(Files.readAllBytes(file)).containsExactly(before);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("x.safetensors");
    }
  }

  @Test
  void rejectsDuplicateAndReservedNamesAndWrongByteCounts() {
    TensorSource a =
        TensorSource.of("a", SafetensorsDtype.U8, new long[] {1}, ByteBuffer.wrap(new byte[1]));
    assertThatThrownBy(
            () -> SafetensorsWriter.create().writeFile(dir.resolve("d.safetensors"), List.of(a, a)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a' is given twice");
    TensorSource reserved =
        TensorSource.of(
            "__metadata__", SafetensorsDtype.U8, new long[] {1}, ByteBuffer.wrap(new byte[1]));
    assertThatThrownBy(
            () ->
                SafetensorsWriter.create()
                    .writeFile(dir.resolve("r.safetensors"), List.of(reserved)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(
            () ->
                TensorSource.of(
                    "b", SafetensorsDtype.F32, new long[] {2}, ByteBuffer.wrap(new byte[7])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8 bytes, but 7");
    try (NDArray ints = manager.create(new int[] {1})) {
      assertThatThrownBy(() -> TensorSource.of("c", ints, SafetensorsDtype.BF16))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("INT32 as BF16");
    }
  }

  @Test
  void bytesAreReadOnlyLittleEndianViews() {
    Path file =
        SafetensorsWriter.create()
            .writeFile(
                dir.resolve("v.safetensors"),
                List.of(
                    TensorSource.of(
                        "v", SafetensorsDtype.F32, new long[] {2}, ByteBuffer.wrap(le(1f, -2f)))));
    SafetensorsFile read = SafetensorsFile.open(file);
    ByteBuffer bytes = read.bytes("v");
    assertThat(bytes.isReadOnly()).isTrue();
    assertThat(bytes.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.getFloat(4)).isEqualTo(-2f);
    assertThatThrownBy(() -> read.info("missing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no tensor 'missing'");
    read.close();
    assertThat(bytes.getFloat(0)).as("mapped before close, still valid").isEqualTo(1f);
    assertThatThrownBy(() -> read.bytes("v")).isInstanceOf(IllegalStateException.class);
  }
}
