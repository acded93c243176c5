package dev.tune.container.serve;

import ai.djl.ndarray.NDManager;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.GenerationConfig;
import dev.tune.trainer.model.LoadOptions;
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

  private final NDManager manager;
  private final CausalLm model;
  private final ModelTokenizer tokenizer;
  private final Optional<GenerationConfig> generationConfig;
  private final Set<Integer> eosTokenIds;

  /**
   * @param manager owns {@code model}; closed with this object
   * @param generationConfig the model's generation defaults, if it has a generation_config.json
   */
  public ServedModel(
      NDManager manager,
      CausalLm model,
      ModelTokenizer tokenizer,
      Optional<GenerationConfig> generationConfig) {
    this.manager = Objects.requireNonNull(manager, "manager");
    this.model = Objects.requireNonNull(model, "model");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.generationConfig = Objects.requireNonNull(generationConfig, "generationConfig");
    Set<Integer> eos = new LinkedHashSet<>();
    tokenizer.eosTokenIds().forEach(id -> eos.add(Math.toIntExact(id)));
    this.eosTokenIds = Set.copyOf(eos);
  }

  /** Loads a Hugging Face model directory onto the engine's default device (a GPU if any). */
  public static ServedModel load(Path modelDir) {
    NDManager manager = NDManager.newBaseManager();
    try {
      ModelTokenizer tokenizer = ModelTokenizer.load(modelDir);
      try {
        Optional<GenerationConfig> generation = GenerationConfig.read(modelDir);
        CausalLm model = CausalLm.load(modelDir, manager, LoadOptions.defaults());
        return new ServedModel(manager, model, tokenizer, generation);
      } catch (RuntimeException e) {
        tokenizer.close();
        throw e;
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public CausalLm model() {
    return model;
  }

  public ModelTokenizer tokenizer() {
    return tokenizer;
  }

  /** The sampling defaults of the model's generation_config.json, if it has one. */
  public Optional<GenerationConfig> generationConfig() {
    return generationConfig;
  }

  /** The ids that end a sequence, from generation_config.json or the tokenizer. */
  public Set<Integer> eosTokenIds() {
    return eosTokenIds;
  }

  /** The most positions (prompt plus generated tokens) the model was trained for. */
  public int contextLength() {
    return model.config().maxPositionEmbeddings();
  }

  @Override
  public void close() {
    try {
      tokenizer.close();
    } finally {
      manager.close();
    }
  }
}
