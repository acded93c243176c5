package dev.tune.trainer.model;

/**
 * Where a family's checkpoint names put each tensor: the embeddings, decoder layer {@code i}, the
 * final norm or {@code lm_head}. A {@link ModelPlacement} says which slot each of those runs on.
 *
 * @param embeddings the input embeddings' module name
 * @param layerPrefix decoder layer {@code i} is {@code layerPrefix + i}
 * @param finalNorm the final norm's module name
 */
record ModuleNames(String embeddings, String layerPrefix, String finalNorm) {

  static ModuleNames of(ModelConfig config) {
    return switch (config) {
      case LlamaConfig c -> new ModuleNames("model.embed_tokens", "model.layers.", "model.norm");
      case FalconConfig c ->
          new ModuleNames("transformer.word_embeddings", "transformer.h.", "transformer.ln_f");
    };
  }

  /** The slot of the module that tensor or module {@code name} belongs to. */
  int slotOf(String name, ModelPlacement placement) {
    if (within(name, CausalLm.LM_HEAD)) {
      return placement.head();
    }
    if (within(name, embeddings)) {
      return placement.embeddings();
    }
    if (within(name, finalNorm)) {
      return placement.finalNorm();
    }
    if (name.startsWith(layerPrefix)) {
      String rest = name.substring(layerPrefix.length());
      int dot = rest.indexOf('.');
      String index = dot < 0 ? rest : rest.substring(0, dot);
      if (!index.isEmpty() && index.chars().allMatch(Character::isDigit)) {
        int layer = Integer.parseInt(index);
        if (layer < placement.layers().size()) {
          return placement.layers().get(layer);
        }
      }
    }
    throw new IllegalArgumentException(
        "the placement does not say where " + name + " goes; place every module of the model");
  }

  private static boolean within(String name, String module) {
    return name.equals(module) || name.startsWith(module + ".");
  }
}
