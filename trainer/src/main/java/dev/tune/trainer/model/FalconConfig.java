package dev.tune.trainer.model;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code config.json} of {@code FalconForCausalLM}. Components are the JSON fields in camel case
 * ({@code n_layer}, {@code n_head}, {@code n_head_kv} are read as the aliases transformers maps);
 * defaults are those of transformers' {@code FalconConfig}. ALiBi checkpoints are refused.
 *
 * @param ffnHiddenSize {@code ffn_hidden_size}, or {@code 4 * hidden_size} when absent
 * @param numKvHeads {@code num_kv_heads} as written; see {@link #numKeyValueHeads()} for what
 *     attention uses
 * @param numLnInParallelAttn {@code num_ln_in_parallel_attn} as written (may be absent)
 */
public record FalconConfig(
    int vocabSize,
    int hiddenSize,
    int ffnHiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKvHeads,
    double layerNormEpsilon,
    boolean multiQuery,
    boolean newDecoderArchitecture,
    boolean parallelAttn,
    OptionalInt numLnInParallelAttn,
    boolean bias,
    HiddenActivation activation,
    boolean tieWordEmbeddings,
    int maxPositionEmbeddings,
    RopeParameters ropeParameters,
    SpecialTokenIds specialTokenIds,
    Optional<String> dtype)
    implements ModelConfig {

  /** How {@code query_key_value}'s output packs the heads; see {@code _split_heads}. */
  public enum QkvLayout {
    /**
     * New decoder architecture (40B/180B): per KV head, its group of query heads, then one K and
     * one V head.
     */
    GROUPED,
    /** Multi-query (7B): all query heads, then one K head and one V head. */
    MULTI_QUERY,
    /** Per head: query, key, value. */
    PER_HEAD
  }

  /** Which layer norms a decoder layer has and how attention and MLP combine. */
  public enum NormLayout {
    /** {@code input_layernorm} then {@code post_attention_layernorm}: attention, then MLP. */
    SEQUENTIAL,
    /** One {@code input_layernorm} feeding attention and MLP in parallel. */
    PARALLEL_SHARED,
    /** {@code ln_attn} and {@code ln_mlp} feeding attention and MLP in parallel. */
    PARALLEL_SEPARATE
  }

  public FalconConfig {
    LlamaConfig.positive("vocab_size", vocabSize);
    LlamaConfig.positive("hidden_size", hiddenSize);
    LlamaConfig.positive("ffn_hidden_size", ffnHiddenSize);
    LlamaConfig.positive("num_hidden_layers", numHiddenLayers);
    LlamaConfig.positive("num_attention_heads", numAttentionHeads);
    LlamaConfig.positive("num_kv_heads", numKvHeads);
    if (hiddenSize % numAttentionHeads != 0) {
      throw ModelConfigException.invalid(
          "hidden_size ("
              + hiddenSize
              + ") must be a multiple of num_attention_heads ("
              + numAttentionHeads
              + ")");
    }
    if ((hiddenSize / numAttentionHeads) % 2 != 0) {
      throw ModelConfigException.invalid(
          "the head size hidden_size / num_attention_heads must be even for RoPE");
    }
    if (newDecoderArchitecture && numAttentionHeads % numKvHeads != 0) {
      throw ModelConfigException.invalid(
          "num_attention_heads ("
              + numAttentionHeads
              + ") must be a multiple of num_kv_heads ("
              + numKvHeads
              + ")");
    }
    // transformers builds these combinations but fails in forward; refuse them up front.
    if (newDecoderArchitecture && !parallelAttn) {
      throw ModelConfigException.invalid(
          "Falcon with new_decoder_architecture needs parallel_attn=true");
    }
    if (!newDecoderArchitecture
        && parallelAttn
        && numLnInParallelAttn.isPresent()
        && numLnInParallelAttn.getAsInt() != 1) {
      throw ModelConfigException.invalid(
          "Falcon without new_decoder_architecture uses one layer norm; num_ln_in_parallel_attn="
              + numLnInParallelAttn.getAsInt()
              + " is not supported");
    }
    if (numLnInParallelAttn.isPresent()
        && numLnInParallelAttn.getAsInt() != 1
        && numLnInParallelAttn.getAsInt() != 2) {
      throw ModelConfigException.invalid(
          "num_ln_in_parallel_attn must be 1 or 2, got " + numLnInParallelAttn.getAsInt());
    }
  }

  @Override
  public Architecture architecture() {
    return Architecture.FALCON;
  }

  @Override
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  @Override
  public int numKeyValueHeads() {
    return switch (qkvLayout()) {
      case GROUPED -> numKvHeads;
      case MULTI_QUERY -> 1;
      case PER_HEAD -> numAttentionHeads;
    };
  }

  @Override
  public OptionalInt slidingWindow() {
    return OptionalInt.empty();
  }

  public QkvLayout qkvLayout() {
    if (newDecoderArchitecture) {
      return QkvLayout.GROUPED;
    }
    return multiQuery ? QkvLayout.MULTI_QUERY : QkvLayout.PER_HEAD;
  }

  public NormLayout normLayout() {
    if (!parallelAttn) {
      return NormLayout.SEQUENTIAL;
    }
    // With the new decoder architecture transformers defaults num_ln_in_parallel_attn to 2.
    int norms = numLnInParallelAttn.orElse(newDecoderArchitecture ? 2 : 1);
    return norms == 2 ? NormLayout.PARALLEL_SEPARATE : NormLayout.PARALLEL_SHARED;
  }

  /** The width of {@code query_key_value}'s output. */
  public int qkvOutFeatures() {
    return (numAttentionHeads + 2 * numKeyValueHeads()) * headDim();
  }

  static FalconConfig read(ConfigJson json) {
    if (json.boolOr(false, "alibi")) {
      throw new ModelConfigException(
          json.source() + ": Falcon with alibi=true is not supported",
          "use a rotary Falcon checkpoint (alibi: false), such as Falcon-7B or Falcon-40B");
    }
    int hidden = json.requiredInt("hidden_size");
    int heads = json.requiredInt("num_attention_heads", "n_head");
    return new FalconConfig(
        json.requiredInt("vocab_size"),
        hidden,
        json.intOr(4 * hidden, "ffn_hidden_size"),
        json.requiredInt("num_hidden_layers", "n_layer"),
        heads,
        json.intOr(heads, "num_kv_heads", "n_head_kv"),
        json.doubleOr(1e-5, "layer_norm_epsilon"),
        json.boolOr(true, "multi_query"),
        json.boolOr(false, "new_decoder_architecture"),
        json.boolOr(true, "parallel_attn"),
        json.optionalInt("num_ln_in_parallel_attn"),
        json.boolOr(false, "bias"),
        HiddenActivation.parse(
            json.optionalString("activation").orElse("gelu"), "activation", json.source()),
        json.boolOr(true, "tie_word_embeddings"),
        json.intOr(2048, "max_position_embeddings"),
        RopeParameters.read(json),
        SpecialTokenIds.read(json),
        json.optionalString("dtype", "torch_dtype"));
  }
}
