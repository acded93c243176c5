package dev.tune.container.serve;

import dev.tune.trainer.inference.InferenceModel;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.GenerationConfig;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded model with its tokenizer: what the server generates with. Closing it frees the weights.
 */
public final class ServedModel implements AutoCloseable {

  private final InferenceModel loaded;
  private final Set<Integer> eosTokenIds;

  /** Serves {@code loaded}, which it closes with itself. */
  public ServedModel(InferenceModel loaded) {
    this.loaded = Objects.requireNonNull(loaded, "loaded");
    Set<Integer> eos = new LinkedHashSet<>();
    loaded.tokenizer().eosTokenIds().forEach(id -> eos.add(Math.toIntExact(id)));
    this.eosTokenIds = Set.copyOf(eos);
  }

  /** Loads a Hugging Face model directory onto the engine's default device (a GPU if any). */
  public static ServedModel load(Path modelDir) {
    return new ServedModel(InferenceModel.load(modelDir, Optional.empty()));
  }

  public CausalLm model() {
    return loaded.model();
  }

  public ModelTokenizer tokenizer() {
    return loaded.tokenizer();
  }

  /** The sampling defaults of the model's generation_config.json, if it has one. */
  public Optional<GenerationConfig> generationConfig() {
    return loaded.generationConfig();
  }

  /** The ids that end a sequence, from generation_config.json or the tokenizer. */
  public Set<Integer> eosTokenIds() {
    return eosTokenIds;
  }

  /** The most positions (prompt plus generated tokens) the model was trained for. */
  public int contextLength() {
    return loaded.model().config().maxPositionEmbeddings();
  }

  @Override
  public void close() {
    loaded.close();
  }
}
