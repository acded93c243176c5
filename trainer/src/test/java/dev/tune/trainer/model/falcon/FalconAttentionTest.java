package dev.tune.trainer.model.falcon;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.FalconConfig.QkvLayout;
import org.junit.jupiter.api.Test;

/**
 * {@code _split_heads} for each layout, against the index arithmetic of transformers' {@code view}
 * calls: element {@code [b, s, j]} of the fused output is value {@code j} here.
 */
class FalconAttentionTest {

  private static final int HEADS = 4;
  private static final int D = 2;

  private static NDArray fused(NDManager m, int width) {
    float[] v = new float[width];
    for (int j = 0; j < width; j++) {
      v[j] = j;
    }
    return m.create(v, new Shape(1, 1, width));
  }

  private static FalconAttention attention(QkvLayout layout, int kvHeads) {
    return new FalconAttention(null, null, layout, HEADS, kvHeads, D);
  }

  private static float at(NDArray x, int head, int d) {
    return x.getFloat(0, 0, head, d);
  }

  @Test
  void groupedPacksEachKvHeadAfterItsQueryGroup() {
    try (NDManager m = NDManager.newBaseManager()) {
      int kv = 2;
      int group = HEADS / kv;
      NDArray[] qkv = attention(QkvLayout.GROUPED, kv).splitHeads(fused(m, (HEADS + 2 * kv) * D));
      assertThat(qkv[0].getShape()).isEqualTo(new Shape(1, 1, HEADS, D));
      assertThat(qkv[1].getShape()).isEqualTo(new Shape(1, 1, kv, D));
      // view(b, s, kv, group + 2, d): query head h = (g, i) at [g, i], key g at [g, group].
      for (int g = 0; g < kv; g++) {
        for (int d = 0; d < D; d++) {
          for (int i = 0; i < group; i++) {
            assertThat(at(qkv[0], g * group + i, d)).isEqualTo((g * (group + 2) + i) * D + d);
          }
          assertThat(at(qkv[1], g, d)).isEqualTo((g * (group + 2) + group) * D + d);
          assertThat(at(qkv[2], g, d)).isEqualTo((g * (group + 2) + group + 1) * D + d);
        }
      }
    }
  }

  @Test
  void multiQueryPacksAllQueriesThenOneKeyAndOneValue() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray[] qkv = attention(QkvLayout.MULTI_QUERY, 1).splitHeads(fused(m, (HEADS + 2) * D));
      assertThat(qkv[1].getShape()).isEqualTo(new Shape(1, 1, 1, D));
      for (int d = 0; d < D; d++) {
        for (int h = 0; h < HEADS; h++) {
          assertThat(at(qkv[0], h, d)).isEqualTo(h * D + d);
        }
        assertThat(at(qkv[1], 0, d)).isEqualTo(HEADS * D + d);
        assertThat(at(qkv[2], 0, d)).isEqualTo((HEADS + 1) * D + d);
      }
    }
  }

  @Test
  void perHeadPacksQueryKeyValueOfEachHead() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray[] qkv = attention(QkvLayout.PER_HEAD, HEADS).splitHeads(fused(m, 3 * HEADS * D));
      for (int h = 0; h < HEADS; h++) {
        for (int d = 0; d < D; d++) {
          assertThat(at(qkv[0], h, d)).isEqualTo((h * 3) * D + d);
          assertThat(at(qkv[1], h, d)).isEqualTo((h * 3 + 1) * D + d);
          assertThat(at(qkv[2], h, d)).isEqualTo((h * 3 + 2) * D + d);
        }
      }
    }
  }
}
