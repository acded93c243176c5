package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class AttentionMaskTest {

  private static final float NO = -Float.MAX_VALUE;

  private static float[] row(NDArray mask, int b, int q) {
    return mask.get("{}, 0, {}, :", b, q).toFloatArray();
  }

  @Test
  void causalFromThePastOnward() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray mask =
          AttentionMask.build(m, 1, 2, 3, Optional.empty(), OptionalInt.empty(), DataType.FLOAT32);
      assertThat(mask.getShape()).isEqualTo(new Shape(1, 1, 2, 5));
      assertThat(row(mask, 0, 0)).containsExactly(0, 0, 0, 0, NO);
      assertThat(row(mask, 0, 1)).containsExactly(0, 0, 0, 0, 0);
    }
  }

  @Test
  void slidingWindowKeepsTheLastWindowKeys() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray mask =
          AttentionMask.build(m, 1, 5, 0, Optional.empty(), OptionalInt.of(2), DataType.FLOAT32);
      assertThat(row(mask, 0, 0)).containsExactly(0, NO, NO, NO, NO);
      assertThat(row(mask, 0, 3)).containsExactly(NO, NO, 0, 0, NO);
      assertThat(row(mask, 0, 4)).containsExactly(NO, NO, NO, 0, 0);
    }
  }

  @Test
  void paddingHidesPaddedKeysPerSequence() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray padding = m.create(new long[] {0, 0, 1, 1, 1, 1, 1, 1}, new Shape(2, 4));
      NDArray mask =
          AttentionMask.build(
              m, 2, 4, 0, Optional.of(padding), OptionalInt.empty(), DataType.FLOAT16);
      assertThat(mask.getDataType()).isEqualTo(DataType.FLOAT16);
      NDArray f = mask.toType(DataType.FLOAT32, false);
      assertThat(row(f, 0, 3)).containsExactly(-65504, -65504, 0, 0);
      assertThat(row(f, 0, 0)).containsExactly(-65504, -65504, -65504, -65504);
      assertThat(row(f, 1, 3)).containsExactly(0, 0, 0, 0);
      assertThat(row(f, 1, 1)).containsExactly(0, 0, -65504, -65504);
    }
  }

  @Test
  void aPaddingMaskMustCoverCachedAndNewTokens() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray padding = m.create(new long[] {1, 1}, new Shape(1, 2));
      assertThatThrownBy(
              () ->
                  AttentionMask.build(
                      m, 1, 1, 2, Optional.of(padding), OptionalInt.empty(), DataType.FLOAT32))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(1, 3)");
    }
  }

  @Test
  void sequenceIdsMakeTheCausalMaskBlockDiagonal() {
    try (NDManager m = NDManager.newBaseManager()) {
      // One packed row: sample 0 at slots 0-1, sample 1 at slots 2-4.
      NDArray ids = m.create(new long[] {0, 0, 1, 1, 1}, new Shape(1, 5));
      NDArray mask =
          AttentionMask.build(
              m,
              1,
              5,
              0,
              Optional.empty(),
              Optional.of(ids),
              OptionalInt.empty(),
              DataType.FLOAT32);
      assertThat(row(mask, 0, 0)).containsExactly(0, NO, NO, NO, NO);
      assertThat(row(mask, 0, 1)).containsExactly(0, 0, NO, NO, NO);
      assertThat(row(mask, 0, 2)).containsExactly(NO, NO, 0, NO, NO);
      assertThat(row(mask, 0, 3)).containsExactly(NO, NO, 0, 0, NO);
      assertThat(row(mask, 0, 4)).containsExactly(NO, NO, 0, 0, 0);
    }
  }

  @Test
  void sequenceIdsOfQueriesAfterACacheAreTheLastOnes() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray ids = m.create(new long[] {3, 3, 4, 4}, new Shape(1, 4));
      NDArray mask =
          AttentionMask.build(
              m,
              1,
              2,
              2,
              Optional.empty(),
              Optional.of(ids),
              OptionalInt.empty(),
              DataType.FLOAT32);
      assertThat(row(mask, 0, 0)).containsExactly(NO, NO, 0, NO);
      assertThat(row(mask, 0, 1)).containsExactly(NO, NO, 0, 0);
      NDArray wrong = m.create(new long[] {3, 3}, new Shape(1, 2));
      assertThatThrownBy(
              () ->
                  AttentionMask.build(
                      m,
                      1,
                      2,
                      2,
                      Optional.empty(),
                      Optional.of(wrong),
                      OptionalInt.empty(),
                      DataType.FLOAT32))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sequence ids have shape (1, 2), expected (1, 4)");
    }
  }
}
