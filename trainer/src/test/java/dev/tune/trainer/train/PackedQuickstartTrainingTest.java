package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.data.DataPipeline;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's data, packed by {@link DataPipeline} into rows of 128 tokens, trains the bundled
 * model through {@link TrainingRun} with a held-out loss (of packed rows too) that falls at each
 * evaluation.
 */
@ExtendWith(SingleThreadedTorch.class)
class PackedQuickstartTrainingTest {

  @TempDir Path dir;

  @Test
  void packedQuickstartDataTrainsWithFallingEvalLoss() {
    Path trainFile = QuickstartAssets.dir().resolve("data/train.jsonl");
    Path evalFile = QuickstartAssets.dir().resolve("data/eval.jsonl");
    DataSpec data =
        DataSpec.builder(FileUri.of(trainFile))
            .eval(FileUri.of(evalFile))
            .maxSeqLength(128)
            .packing(true)
            .build();
    TrainSpec spec = QuickstartRun.spec(data, "packed", 4);
    QuickstartRun.Examples examples = QuickstartRun.examples(spec, trainFile, List.of(evalFile));
    assertThat(examples.train()).allMatch(TrainingExample::isPacked);
    assertThat(examples.eval()).allMatch(TrainingExample::isPacked);

    QuickstartRun.Losses losses = QuickstartRun.train(spec, examples, dir);

    losses.assertFalling(
        "packed: "
            + examples.train().size()
            + " train rows, "
            + examples.eval().size()
            + " eval rows");
  }
}
