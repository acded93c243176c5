package dev.tune.trainer.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.ErrorKind;
import dev.tune.core.error.TuneException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rule of the format, broken by a file built here, is refused with a precise message. */
class MalformedSafetensorsTest {

  @TempDir Path dir;

  private Path file(long declaredHeaderLength, byte[] header, int dataBytes) throws IOException {
    Path path = dir.resolve("bad.safetensors");
    ByteBuffer b =
        ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredHeaderLength).put(header);
    Files.write(path, b.array());
    return path;
  }

  private Path file(String json, int dataBytes) throws IOException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    return file(header.length, header, dataBytes);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(Path path) {
    return assertThatThrownBy(() -> SafetensorsFile.open(path).close())
        .isInstanceOf(InvalidSafetensorsException.class)
        .hasMessageStartingWith(path + ": ")
        .satisfies(e -> assertThat(((InvalidSafetensorsException) e).path()).isEqualTo(path))
        .satisfies(
            e -> {
              assertThat(((TuneException) e).kind()).isEqualTo(ErrorKind.BAD_INPUT);
              assertThat(((TuneException) e).fix()).contains("download or export the checkpoint");
            });
  }

  private static String f32(String name, String shape, long begin, long end) {
    return "\""
        + name
        + "\":{\"dtype\":\"F32\",\"shape\":"
        + shape
        + ",\"data_offsets\":["
        + begin
        + ","
        + end
        + "]}";
  }

  @Test
  void fileShorterThanTheLengthPrefix() throws IOException {
    Path path = dir.resolve("tiny.safetensors");
    Files.write(path, new byte[] {1, 0, 0});
    assertRejected(path).hasMessageContaining("3 bytes, fewer than the 8-byte header length");
  }

  @Test
  void headerLengthPastTheEndOfTheFile() throws IOException {
    assertRejected(file(1000, "{}".getBytes(StandardCharsets.UTF_8), 0))
        .hasMessageContaining("header length 1000 runs past the end of the file (10 bytes)");
  }

  @Test
  void headerOverTheHundredMegabyteLimitIsRefusedBeforeReadingIt() throws IOException {
    // The file is tiny: a reader that trusted the length would try to allocate 200 MB first.
    assertRejected(file(200_000_000L, "{}".getBytes(StandardCharsets.UTF_8), 0))
        .hasMessageContaining("header length 200000000 exceeds the limit of 100000000 bytes");
    assertRejected(file(-1L, "{}".getBytes(StandardCharsets.UTF_8), 0))
        .hasMessageContaining("header length 18446744073709551615 exceeds the limit");
  }

  @Test
  void headerThatIsNotJson() throws IOException {
    assertRejected(file("{\"a\": ", 0)).hasMessageContaining("header is not valid JSON");
    byte[] notUtf8 = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
    assertRejected(file(notUtf8.length, notUtf8, 0))
        .hasMessageContaining("header is not valid JSON");
  }

  @Test
  void headerThatIsNotAnObject() throws IOException {
    assertRejected(file("[1, 2]  ", 0))
        .hasMessageContaining("header is not a JSON object but ARRAY");
  }

  @Test
  void entryThatIsNotAnObject() throws IOException {
    assertRejected(file("{\"w\": 5}", 0))
        .hasMessageContaining("entry 'w' is not an object but NUMBER");
  }

  @Test
  void unknownOrMissingDtype() throws IOException {
    assertRejected(file("{\"w\":{\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
        .hasMessageContaining("tensor 'w' has unknown dtype 'F7'");
    assertRejected(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
        .hasMessageContaining("tensor 'w' has no dtype string");
  }

  @Test
  void negativeOrNonIntegerDimensions() throws IOException {
    assertRejected(file("{" + f32("w", "[2,-3]", 0, 4) + "}", 4))
        .hasMessageContaining("tensor 'w' has negative dimension -3 in shape [2, -3]");
    assertRejected(file("{" + f32("w", "[1.5]", 0, 4) + "}", 4))
        .hasMessageContaining("non-integer or too large entry in 'shape'");
    assertRejected(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4))
        .hasMessageContaining("needs 'shape' as an array of integers");
  }

  @Test
  void malformedDataOffsets() throws IOException {
    assertRejected(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4))
        .hasMessageContaining("needs 'data_offsets' as an array of 2 integers");
    assertRejected(file("{" + f32("w", "[0]", 4, 0) + "}", 4))
        .hasMessageContaining("data_offsets [4, 0] ending before they begin");
  }

  @Test
  void offsetsOutsideTheDataBuffer() throws IOException {
    assertRejected(file("{" + f32("w", "[4]", 0, 16) + "}", 8))
        .hasMessageContaining(
            "tensor 'w' data_offsets [0, 16] lie outside the data buffer of 8 bytes");
  }

  @Test
  void overlappingTensors() throws IOException {
    assertRejected(file("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 4, 12) + "}", 12))
        .hasMessageContaining("tensors 'a' and 'b' overlap");
  }

  @Test
  void gapsAndTrailingBytes() throws IOException {
    assertRejected(file("{" + f32("a", "[1]", 0, 4) + "," + f32("b", "[1]", 8, 12) + "}", 12))
        .hasMessageContaining(
            "bytes [4, 8) of the data buffer belong to no tensor (gap before 'b')");
    assertRejected(file("{" + f32("a", "[1]", 4, 8) + "}", 8))
        .hasMessageContaining(
            "bytes [0, 4) of the data buffer belong to no tensor (gap before 'a')");
    assertRejected(file("{" + f32("a", "[1]", 0, 4) + "}", 6))
        .hasMessageContaining("the data buffer has 6 bytes but the tensors cover only 4");
    assertRejected(file("{}", 3))
        .hasMessageContaining("the data buffer has 3 bytes but the tensors cover only 0");
  }

  @Test
  void shapeTimesElementSizeDifferentFromTheByteRange() throws IOException {
    assertRejected(file("{" + f32("w", "[2,3]", 0, 20) + "}", 20))
        .hasMessageContaining(
            "tensor 'w' is F32 [2, 3] = 24 bytes, but its data_offsets [0, 20] span 20");
  }

  @Test
  void shapeWhoseSizeOverflows() throws IOException {
    assertRejected(file("{" + f32("w", "[4611686018427387904,4]", 0, 4) + "}", 4))
        .hasMessageContaining("whose size overflows");
  }

  @Test
  void duplicateTensorNames() throws IOException {
    assertRejected(file("{" + f32("w", "[1]", 0, 4) + "," + f32("w", "[1]", 4, 8) + "}", 8))
        .hasMessageContaining("header is not valid JSON")
        .hasMessageContaining("Duplicate field 'w'");
  }

  @Test
  void metadataThatIsNotStringToString() throws IOException {
    assertRejected(file("{\"__metadata__\":{\"format\":\"pt\",\"step\":3}}", 0))
        .hasMessageContaining("__metadata__ must map strings to strings; 'step' is NUMBER");
    assertRejected(file("{\"__metadata__\":[]}", 0))
        .hasMessageContaining("__metadata__ must be an object of strings");
  }

  @Test
  void aValidFileOpensAndZeroSizedTensorsMayShareAnOffset() throws IOException {
    Path path =
        file(
            "{\"__metadata__\":{\"format\":\"pt\"},"
                + f32("a", "[0,3]", 0, 0)
                + ","
                + f32("b", "[]", 0, 4)
                + ","
                + f32("c", "[0]", 4, 4)
                + "}",
            4);
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertThat(file.names()).containsExactly("a", "b", "c");
      assertThat(file.info("b").numel()).isEqualTo(1);
      assertThat(file.dataStart()).isEqualTo(8 + Files.size(path) - 8 - 4);
    }
  }

  @Test
  void missingFileIsAnIoError() {
    assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("nope.safetensors")))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("nope.safetensors");
  }
}
