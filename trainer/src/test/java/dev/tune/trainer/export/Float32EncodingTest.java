package dev.tune.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.safetensors.SafetensorsDtype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Float32EncodingTest {

  @Test
  void bfloat16RoundsToNearestEvenOverManyValuesAndEdgeCases() {
    SplittableRandom random = new SplittableRandom(3);
    float[] values = new float[200_003]; // several parallel chunks and a partial one
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat(random.nextInt());
    }
    float[] edges = {
      0f,
      -0f,
      1f,
      Float.MIN_VALUE,
      -Float.MIN_VALUE,
      Float.MAX_VALUE,
      -Float.MAX_VALUE,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.intBitsToFloat(0x3F808000), // exactly halfway, even below: rounds down
      Float.intBitsToFloat(0x3F818000), // exactly halfway, odd below: rounds up
      Float.intBitsToFloat(0x3F808001), // just above halfway: rounds up
      Float.intBitsToFloat(0x7F7FFFFF) // rounds up to infinity, as torch does
    };
    System.arraycopy(edges, 0, values, 0, edges.length);

    ByteBuffer bytes = Float32Encoding.bfloat16(values);

    assertThat(bytes.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(2 * values.length);
    for (int i = 0; i < values.length; i++) {
      short bits = bytes.getShort(2 * i);
      float stored = Float.intBitsToFloat((bits & 0xFFFF) << 16);
      if (Float.isNaN(values[i])) {
        assertThat(bits).isEqualTo((short) 0x7FC0);
      } else {
        assertThat(ModelMergerTest.isNearestEvenBfloat16(values[i], stored))
            .as("%s (0x%08x) stored as 0x%04x", values[i], Float.floatToRawIntBits(values[i]), bits)
            .isTrue();
      }
    }
    assertThat(bytes.getShort(2 * 9)).isEqualTo((short) 0x3F80);
    assertThat(bytes.getShort(2 * 10)).isEqualTo((short) 0x3F82);
    assertThat(bytes.getShort(2 * 11)).isEqualTo((short) 0x3F81);
    assertThat(bytes.getShort(2 * 12)).isEqualTo((short) 0x7F80);
  }

  @Test
  void float32AndFloat16AreTheArraysOwnBytesLittleEndian() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray values = manager.create(new float[] {1.5f, -2.25f, 65504f, 1e-8f}, new Shape(2, 2));

      ByteBuffer fp32 = Float32Encoding.encode(values, SafetensorsDtype.F32);
      ByteBuffer fp16 = Float32Encoding.encode(values, SafetensorsDtype.F16);

      assertThat(fp32.getFloat(4)).isEqualTo(-2.25f);
      assertThat(fp32.remaining()).isEqualTo(16);
      assertThat(fp16.remaining()).isEqualTo(8);
      assertThat(Float.float16ToFloat(fp16.getShort(0))).isEqualTo(1.5f);
      assertThat(Float.float16ToFloat(fp16.getShort(4))).isEqualTo(65504f);
      assertThat(Float.float16ToFloat(fp16.getShort(6))).isEqualTo(0f);
      assertThat(values.getDataType()).isEqualTo(DataType.FLOAT32);
    }
  }
}
