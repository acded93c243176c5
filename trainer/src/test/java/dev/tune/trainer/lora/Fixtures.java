package dev.tune.trainer.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.LoadOptions;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.model.WeightSource;
import dev.tune.trainer.safetensors.CheckpointReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Set;

/** The transformers + peft reference fixtures under {@code src/test/resources/fixtures/hf}. */
final class Fixtures {

  private Fixtures() {}

  /** A fixture directory, e.g. {@code llama} or {@code llama-lora}. */
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

  /** The tiny checkpoint {@code name} (e.g. {@code llama}) as a model in a sub-manager. */
  static CausalLm model(String name, NDManager manager, LoadOptions options) {
    Path dir = adapterDir(name);
    try (CheckpointReader checkpoint = CheckpointReader.open(dir)) {
      WeightSource source =
          new WeightSource() {
            @Override
            public Set<String> names() {
              return checkpoint.names();
            }

            @Override
            public NDArray load(String tensor, NDManager target) {
              return checkpoint.load(tensor, target);
            }
          };
      return CausalLm.load(ModelConfig.read(dir), source, manager, options);
    }
  }
}
