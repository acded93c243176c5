package dev.tune.trainer.safetensors;

import ai.djl.ndarray.types.DataType;
import java.util.Optional;

/**
 * Element types of the safetensors format, with their size and DJL counterpart.
 *
 * <p>DJL 0.36's PyTorch bridge knows only FLOAT32, FLOAT64, FLOAT16, UINT8, INT32, INT8, INT64 and
 * BOOLEAN; creating or converting to any other DJL type (BFLOAT16 among them) aborts the JVM. So
 * {@link #loadedType()} names what {@link SafetensorsFile#load} actually produces: the exact type
 * where the bridge has it, otherwise the narrowest type that holds every value exactly (BF16 and
 * both FP8 types become FLOAT32, I16 and U16 become INT32, U32 becomes INT64).
 */
public enum SafetensorsDtype {
  F64(8, DataType.FLOAT64, DataType.FLOAT64, 12),
  F32(4, DataType.FLOAT32, DataType.FLOAT32, 11),
  F16(2, DataType.FLOAT16, DataType.FLOAT16, 7),
  BF16(2, DataType.BFLOAT16, DataType.FLOAT32, 8),
  I64(8, DataType.INT64, DataType.INT64, 13),
  I32(4, DataType.INT32, DataType.INT32, 9),
  I16(2, DataType.INT16, DataType.INT32, 5),
  I8(1, DataType.INT8, DataType.INT8, 2),
  U8(1, DataType.UINT8, DataType.UINT8, 1),
  BOOL(1, DataType.BOOLEAN, DataType.BOOLEAN, 0),
  F8_E4M3(1, null, DataType.FLOAT32, 4),
  F8_E5M2(1, null, DataType.FLOAT32, 3),
  U16(2, DataType.UINT16, DataType.INT32, 6),
  U32(4, DataType.UINT32, DataType.INT64, 10),
  /** No DJL type holds every U64 value; {@link SafetensorsFile#load} refuses it. */
  U64(8, DataType.UINT64, null, 14);

  private final int byteSize;
  private final DataType dataType;
  private final DataType loadedType;
  private final int alignmentRank;

  SafetensorsDtype(int byteSize, DataType dataType, DataType loadedType, int alignmentRank) {
    this.byteSize = byteSize;
    this.dataType = dataType;
    this.loadedType = loadedType;
    this.alignmentRank = alignmentRank;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** The DJL type with the same bits, where DJL has one (not for the FP8 types). */
  public Optional<DataType> dataType() {
    return Optional.ofNullable(dataType);
  }

  /**
   * The DJL type that {@link SafetensorsFile#load} returns for this dtype on the PyTorch engine.
   */
  public Optional<DataType> loadedType() {
    return Optional.ofNullable(loadedType);
  }

  /** True when loading keeps the bits as they are (no widening on the host). */
  public boolean loadsExactly() {
    return dataType != null && dataType == loadedType;
  }

  /**
   * Position in the reference implementation's dtype order (ascending alignment); its writer puts
   * the tensors with the highest rank first.
   */
  int alignmentRank() {
    return alignmentRank;
  }

  /** The dtype named {@code name} in a header, if it is one of the known names. */
  public static Optional<SafetensorsDtype> fromName(String name) {
    for (SafetensorsDtype d : values()) {
      if (d.name().equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** The dtype that stores a DJL array of type {@code type} bit for bit. */
  public static SafetensorsDtype of(DataType type) {
    return switch (type) {
      case FLOAT64 -> F64;
      case FLOAT32 -> F32;
      case FLOAT16 -> F16;
      case BFLOAT16 -> BF16;
      case INT64 -> I64;
      case INT32 -> I32;
      case INT16 -> I16;
      case INT8 -> I8;
      case UINT8 -> U8;
      case BOOLEAN -> BOOL;
      case UINT16 -> U16;
      case UINT32 -> U32;
      case UINT64 -> U64;
      default ->
          throw new IllegalArgumentException(
              "safetensors has no element type for DJL " + type.name());
    };
  }
}
