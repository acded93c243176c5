package dev.tune.trainer.inference;

import ai.djl.ndarray.NDManager;
import dev.tune.core.error.BadInputException;
import dev.tune.trainer.lora.LoraLayers;
import dev.tune.trainer.lora.PeftAdapterDir;
import dev.tune.trainer.model.Architecture;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.GenerationConfig;
import dev.tune.trainer.model.LoadOptions;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A model ready to run: the weights of a Hugging Face model directory, optionally with a LoRA
 * adapter attached (unmerged, dropout off, as peft's {@code PeftModel} in eval mode), and its
 * tokenizer. Closing it frees all of them.
 */
public final class InferenceModel implements AutoCloseable {

  private final NDManager manager;
  private final CausalLm model;
  private final ModelTokenizer tokenizer;
  private final Optional<LoraLayers> adapter;
  private final Optional<GenerationConfig> generationConfig;

  private InferenceModel(
      NDManager manager,
      CausalLm model,
      ModelTokenizer tokenizer,
      Optional<LoraLayers> adapter,
      Optional<GenerationConfig> generationConfig) {
    this.manager = manager;
    this.model = model;
    this.tokenizer = tokenizer;
    this.adapter = adapter;
    this.generationConfig = generationConfig;
  }

  /** {@link #load(Path, Optional, LoadOptions)} with the default options. */
  public static InferenceModel load(Path modelDir, Optional<Path> adapterDir) {
    return load(modelDir, adapterDir, LoadOptions.defaults());
  }

  /**
   * Loads the model in {@code modelDir} on the default device (a GPU when there is one) and
   * attaches the adapter in {@code adapterDir}, if given.
   *
   * @throws dev.tune.core.error.NotFoundException if a directory is missing
   * @throws BadInputException if a directory is not a supported model or adapter, or the adapter
   *     does not fit the model
   */
  public static InferenceModel load(Path modelDir, Optional<Path> adapterDir, LoadOptions options) {
    Objects.requireNonNull(options, "options");
    ModelDirectories.requireModel(modelDir, "model");
    adapterDir.ifPresent(ModelDirectories::requireAdapter);
    Optional<GenerationConfig> generationConfig =
        readable(() -> GenerationConfig.read(modelDir), "generation_config.json of " + modelDir);
    ModelTokenizer tokenizer = ModelTokenizer.load(modelDir);
    NDManager manager = NDManager.newBaseManager();
    try {
      CausalLm model =
          readable(() -> CausalLm.load(modelDir, manager, options), "the model in " + modelDir);
      Optional<LoraLayers> adapter =
          adapterDir.map(
              dir ->
                  readable(
                      () -> PeftAdapterDir.attach(dir, model.linears(), model.manager()),
                      "the adapter in " + dir));
      return new InferenceModel(manager, model, tokenizer, adapter, generationConfig);
    } catch (RuntimeException e) {
      manager.close();
      tokenizer.close();
      throw e;
    }
  }

  private static <T> T readable(Supplier<T> load, String what) {
    try {
      return load.get();
    } catch (IllegalArgumentException e) {
      throw new BadInputException(
          "Cannot load " + what + ": " + e.getMessage(),
          "Use a supported model ("
              + Architecture.supportedNames()
              + ") saved by transformers, and an adapter trained on it.",
          e);
    }
  }

  public CausalLm model() {
    return model;
  }

  public ModelTokenizer tokenizer() {
    return tokenizer;
  }

  /** The model's {@code generation_config.json}, if it has one. */
  public Optional<GenerationConfig> generationConfig() {
    return generationConfig;
  }

  /** The attached adapter, if one was given. */
  public Optional<LoraLayers> adapter() {
    return adapter;
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
