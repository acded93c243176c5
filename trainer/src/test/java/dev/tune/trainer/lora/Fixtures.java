package dev.tune.trainer.lora;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The transformers + peft reference fixtures under {@code src/test/resources/fixtures/hf}. */
final class Fixtures {

  private Fixtures() {}

  /** A fixture directory, e.g. {@code llama-lora}. */
  static Path adapterDir(String name) {
    URL url = Fixtures.class.getResource("/fixtures/hf/" + name);
    if (url == null) {
      throw new IllegalStateException("missing test fixture fixtures/hf/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
