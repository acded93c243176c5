package dev.tune.trainer.model;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code config.json} of {@code LlamaForCausalLM} and {@code MistralForCausalLM} (Mistral is Llama
 * with a sliding attention window). Components are the JSON fields, in camel case; defaults are
 * those of transformers' {@code LlamaConfig} / {@code MistralConfig}.
 *
 * @param headDim {@code head_dim}, or {@code hidden_size / num_attention_heads} when absent
 * @param numKeyValueHeads {@code num_key_value_heads}; without it Llama uses one per query head and
 *     Mistral 8, as transformers does
 * @param slidingWindow Mistral's {@code sliding_window} (4096 when absent, as in transformers);
 *     always empty for Llama
 */
public record LlamaConfig(
    Architecture architecture,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    double rmsNormEps,
    HiddenActivation hiddenAct,
    boolean attentionBias,
    boolean mlpBias,
    boolean tieWordEmbeddings,
    OptionalInt slidingWindow,
    int maxPositionEmbeddings,
    RopeParameters ropeParameters,
    SpecialTokenIds specialTokenIds,
    Optional<String> dtype)
    implements ModelConfig {

  public LlamaConfig {
    if (architecture != Architecture.LLAMA && architecture != Architecture.MISTRAL) {
      throw new IllegalArgumentException(
          "LlamaConfig is for Llama and Mistral, not " + architecture);
    }
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("num_key_value_heads", numKeyValueHeads);
    positive("head_dim", headDim);
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw ModelConfigException.invalid(
          "num_attention_heads ("
              + numAttentionHeads
              + ") must be a multiple of num_key_value_heads ("
              + numKeyValueHeads
              + ")");
    }
    if (headDim % 2 != 0) {
      throw ModelConfigException.invalid("head_dim must be even for RoPE, got " + headDim);
    }
    if (slidingWindow.isPresent() && slidingWindow.getAsInt() <= 0) {
      throw ModelConfigException.invalid(
          "sliding_window must be positive, got " + slidingWindow.getAsInt());
    }
  }

  static void positive(String field, int value) {
    if (value <= 0) {
      throw ModelConfigException.invalid(field + " must be positive, got " + value);
    }
  }

  static LlamaConfig read(Architecture architecture, ConfigJson json) {
    boolean mistral = architecture == Architecture.MISTRAL;
    int hidden = json.requiredInt("hidden_size");
    int heads = json.requiredInt("num_attention_heads");
    if (!json.has("head_dim") && hidden % heads != 0) {
      throw ModelConfigException.invalid(
          json.source()
              + ": hidden_size ("
              + hidden
              + ") is not a multiple of num_attention_heads ("
              + heads
              + ") and head_dim is not given");
    }
    OptionalInt window = OptionalInt.empty();
    if (mistral) {
      // MistralConfig defaults sliding_window to 4096; an explicit null turns it off.
      window =
          json.has("sliding_window")
              ? OptionalInt.of(json.requiredInt("sliding_window"))
              : json.hasKey("sliding_window") ? OptionalInt.empty() : OptionalInt.of(4096);
    }
    return new LlamaConfig(
        architecture,
        json.requiredInt("vocab_size"),
        hidden,
        json.requiredInt("intermediate_size"),
        json.requiredInt("num_hidden_layers"),
        heads,
        json.intOr(mistral ? 8 : heads, "num_key_value_heads"),
        json.intOr(hidden / heads, "head_dim"),
        json.doubleOr(1e-6, "rms_norm_eps"),
        HiddenActivation.parse(
            json.optionalString("hidden_act").orElse("silu"), "hidden_act", json.source()),
        !mistral && json.boolOr(false, "attention_bias"),
        !mistral && json.boolOr(false, "mlp_bias"),
        json.boolOr(false, "tie_word_embeddings"),
        window,
        json.intOr(mistral ? 4096 * 32 : 2048, "max_position_embeddings"),
        RopeParameters.read(json),
        SpecialTokenIds.read(json),
        json.optionalString("dtype", "torch_dtype"));
  }
}
