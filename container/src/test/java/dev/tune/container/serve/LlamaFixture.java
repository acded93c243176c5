package dev.tune.container.serve;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The trainer's tiny random Llama checkpoint with its tokenizer and chat template (made by
 * tools/fixtures/make_hf_fixtures.py), found from the working directory whether tests run from the
 * project root or the module.
 */
final class LlamaFixture {

  private static final Path RELATIVE = Path.of("trainer/src/test/resources/fixtures/hf/llama");

  private LlamaFixture() {}

  static Path dir() {
    for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
      Path candidate = at.resolve(RELATIVE);
      if (Files.isRegularFile(candidate.resolve("config.json"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "No " + RELATIVE + " above " + Path.of("").toAbsolutePath() + "; run from the project");
  }
}
