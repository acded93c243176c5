package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.trainer.data.TokenizedExample;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaddedBatchTest {

  @Test
  void padsOnTheRightWithIgnoredLabelsAndAMask() {
    TrainingExample a = TrainingExample.ofCompletion(new long[] {5, 6}, new long[] {7});
    TrainingExample b = TrainingExample.ofText(new long[] {8, 9, 10, 11});
    PaddedBatch batch = PaddedBatch.of(List.of(a, b), 2);

    assertThat(batch.batch()).isEqualTo(2);
    assertThat(batch.seq()).isEqualTo(4);
    assertThat(batch.inputIds()).containsExactly(5, 6, 7, 2, 8, 9, 10, 11);
    assertThat(batch.labels()).containsExactly(-100, -100, 7, -100, 8, 9, 10, 11);
    assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 0, 1, 1, 1, 1);
    assertThat(batch.tokens()).isEqualTo(7);
    // a trains on 7 (1 label), b on 9, 10, 11 (the first label has nothing before it)
    assertThat(batch.trainedTokens()).isEqualTo(4);
  }

  @Test
  void anUnpaddedBatchNeedsNoMask() {
    PaddedBatch batch =
        PaddedBatch.of(
            List.of(
                TrainingExample.ofText(new long[] {1, 2}),
                TrainingExample.ofText(new long[] {3, 4})),
            0);
    assertThat(batch.attentionMask()).isNull();
  }

  @Test
  void examplesNeedOneLabelPerToken() {
    assertThatThrownBy(() -> new TrainingExample(new long[] {1, 2}, new long[] {1}))
        .hasMessageContaining("one label per token");
    assertThatThrownBy(() -> new TrainingExample(new long[0], new long[0]))
        .hasMessageContaining("at least one token");
  }

  @Test
  void examplesAreValuesThatCopyTheirArrays() {
    long[] ids = {1, 2, 3};
    TrainingExample example = TrainingExample.ofText(ids);
    ids[0] = 99;
    assertThat(example.inputIds()).containsExactly(1, 2, 3);
    assertThat(example).isEqualTo(TrainingExample.ofText(new long[] {1, 2, 3}));
    assertThat(example.trainedTokens()).isEqualTo(2);
  }

  @Test
  void packedRowsCarryPositionsAndSequencesAndPaddingGetsItsOwnSequence() {
    TrainingExample packed =
        TrainingExample.packed(
            new long[] {5, 6, 7, 8, 9},
            new long[] {5, 6, -100, 8, 9},
            new int[] {0, 1, 0, 1, 2},
            new int[] {0, 0, 1, 1, 1});
    TrainingExample plain = TrainingExample.ofText(new long[] {3, 4, 5});
    PaddedBatch batch = PaddedBatch.of(List.of(packed, plain), 2);

    assertThat(batch.inputIds()).containsExactly(5, 6, 7, 8, 9, 3, 4, 5, 2, 2);
    assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
    assertThat(batch.positionIds()).containsExactly(0, 1, 0, 1, 2, 0, 1, 2, 0, 1);
    assertThat(batch.sequenceIds()).containsExactly(0, 0, 1, 1, 1, 0, 0, 0, -1, -1);
    assertThat(batch.trainedTokens()).isEqualTo(3 + 2);
  }

  @Test
  void batchesWithoutPackedRowsCarryNoPositionsOrSequences() {
    PaddedBatch batch =
        PaddedBatch.of(
            List.of(
                TrainingExample.ofText(new long[] {1, 2}),
                TrainingExample.ofText(new long[] {3, 4, 5})),
            0);
    assertThat(batch.positionIds()).isNull();
    assertThat(batch.sequenceIds()).isNull();
    assertThat(BatchUpload.bytes(batch)).isEqualTo(3L * 8 * 6);
  }

  @Test
  void theDataPipelinesExamplesConvertToPackedOnlyWhenTheyHoldSeveralSamples() {
    TokenizedExample single = TokenizedExample.single(new long[] {1, 2, 3}, new long[] {1, 2, 3});
    assertThat(TrainingExample.of(single)).isEqualTo(TrainingExample.ofText(new long[] {1, 2, 3}));
    assertThat(TrainingExample.of(single).isPacked()).isFalse();

    TokenizedExample row =
        new TokenizedExample(
            new long[] {1, 2, 3, 4},
            new long[] {1, 2, -100, 4},
            new int[] {0, 1, 0, 1},
            new int[] {0, 0, 1, 1});
    TrainingExample packed = TrainingExample.of(row);
    assertThat(packed.isPacked()).isTrue();
    assertThat(packed.positionIds())
        .hasValueSatisfying(p -> assertThat(p).containsExactly(0, 1, 0, 1));
    assertThat(packed.sequenceIds())
        .hasValueSatisfying(s -> assertThat(s).containsExactly(0, 0, 1, 1));
    assertThat(packed).isNotEqualTo(new TrainingExample(row.inputIds(), row.labels()));
    assertThat(packed.trainedTokens()).isEqualTo(2);
  }

  @Test
  void packedExamplesNeedOnePositionAndSequenceIdPerToken() {
    assertThatThrownBy(
            () ->
                TrainingExample.packed(
                    new long[] {1, 2}, new long[] {1, 2}, new int[] {0}, new int[] {0, 0}))
        .hasMessageContaining("one of each per token");
    assertThatThrownBy(
            () ->
                TrainingExample.packed(
                    new long[] {1, 2}, new long[] {1, 2}, new int[] {0, -1}, new int[] {0, 1}))
        .hasMessageContaining("negative");
  }
}
