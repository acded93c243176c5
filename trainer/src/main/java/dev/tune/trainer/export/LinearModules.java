package dev.tune.trainer.export;

import dev.tune.trainer.model.Architecture;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.safetensors.CheckpointReader;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The linear projections of a checkpoint, found from its tensors without building the model: every
 * {@code <module>.weight} matrix except the input embeddings, plus {@code lm_head} when it is tied
 * to them (the model has the layer even though the checkpoint stores no weight for it). These are
 * the layers a LoRA adapter can target and the layers QLoRA quantizes (all but {@code lm_head}).
 */
final class LinearModules {

  private static final String WEIGHT = ".weight";

  private LinearModules() {}

  static Set<String> of(ModelConfig config, CheckpointReader checkpoint) {
    String embeddings = embeddingModule(config.architecture());
    Set<String> modules = new LinkedHashSet<>();
    for (String name : checkpoint.names()) {
      String module = moduleOf(name);
      if (module != null
          && !module.equals(embeddings)
          && checkpoint.info(name).shape().length == 2) {
        modules.add(module);
      }
    }
    if (config.tieWordEmbeddings()) {
      modules.add(CausalLm.LM_HEAD);
    }
    return modules;
  }

  /** {@code m} for a tensor named {@code m.weight}; null for any other tensor. */
  static String moduleOf(String tensorName) {
    return tensorName.endsWith(WEIGHT) && tensorName.length() > WEIGHT.length()
        ? tensorName.substring(0, tensorName.length() - WEIGHT.length())
        : null;
  }

  /** The input embeddings' module, named as in transformers' modeling code. */
  private static String embeddingModule(Architecture architecture) {
    return switch (architecture) {
      case LLAMA, MISTRAL -> "model.embed_tokens";
      case FALCON -> "transformer.word_embeddings";
    };
  }
}
