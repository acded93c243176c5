package dev.tune.trainer.model;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the transformers reference fixtures under {@code fixtures/hf} on the test classpath. */
final class Fixtures {

  static final String[] MODELS = {
    "llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"
  };

  private Fixtures() {}

  static Path dir(String name) {
    URL url = Fixtures.class.getResource("/fixtures/hf/" + name);
    if (url == null) {
      throw new IllegalStateException("fixture " + name + " is not on the test classpath");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
