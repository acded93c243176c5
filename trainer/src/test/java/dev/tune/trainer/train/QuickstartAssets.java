package dev.tune.trainer.train;

import dev.tune.trainer.data.ExampleStream;
import dev.tune.trainer.data.TokenizedExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The quickstart's bundled model, data and {@code tune.yaml} under {@code examples/quickstart} of
 * the repository (made by {@code tools/quickstart/}), found from the working directory upwards.
 */
final class QuickstartAssets {

  private QuickstartAssets() {}

  /** {@code examples/quickstart}. */
  static Path dir() {
    Path at = Path.of("").toAbsolutePath();
    for (Path p = at; p != null; p = p.getParent()) {
      Path candidate = p.resolve("examples/quickstart");
      if (Files.isDirectory(candidate.resolve("model"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "examples/quickstart/model not found above " + at + "; run from the repository");
  }

  /** The tiny Llama base model (HF directory, bf16 safetensors, 0.9M parameters). */
  static Path model() {
    return dir().resolve("model");
  }

  /** The pipeline's examples as the trainer takes them, packed rows included. */
  static List<TrainingExample> examples(ExampleStream stream) {
    List<TrainingExample> out = new ArrayList<>();
    for (TokenizedExample e : stream) {
      out.add(TrainingExample.of(e));
    }
    return out;
  }
}
