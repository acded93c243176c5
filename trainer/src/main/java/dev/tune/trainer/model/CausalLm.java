package dev.tune.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.falcon.FalconModel;
import dev.tune.trainer.model.llama.LlamaModel;
import dev.tune.trainer.safetensors.CheckpointReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A causal language model: a family's {@link DecoderModel} plus the {@code lm_head} projection,
 * like transformers' {@code *ForCausalLM}.
 *
 * <p>Weights live in the model's own manager until {@link #close()}. Each forward pass runs in its
 * own {@link NDScope}: its temporaries are freed when it returns, and the logits it returns are
 * attached to the manager of the input ids.
 */
public final class CausalLm implements AutoCloseable {

  /** transformers' name of the output projection. */
  public static final String LM_HEAD = "lm_head";

  private final ModelConfig config;
  private final NDManager manager;
  private final DataType computeDtype;
  private final DecoderModel model;
  private final Linear lmHead;
  private final boolean tiedHead;
  private final RotaryEmbedding rotary;
  private final ModelWeights weights;
  private final NDArray attentionScale;

  private CausalLm(
      ModelConfig config,
      NDManager manager,
      DecoderModel model,
      Linear lmHead,
      boolean tiedHead,
      ModelWeights weights) {
    this.config = config;
    this.manager = manager;
    this.computeDtype = weights.computeDtype();
    this.model = model;
    this.lmHead = lmHead;
    this.tiedHead = tiedHead;
    this.weights = weights;
    this.rotary = new RotaryEmbedding(config.ropeParameters(), config.headDim(), manager);
    this.attentionScale =
        GraphConstant.of(manager, (float) Math.pow((double) config.headDim(), -0.5));
  }

  /**
   * Loads a Hugging Face model directory ({@code config.json} and {@code model.safetensors} or its
   * shards) into a new sub-manager of {@code parent}.
   */
  public static CausalLm load(Path modelDir, NDManager parent, LoadOptions options) {
    ModelConfig config = ModelConfig.read(modelDir);
    try (CheckpointReader reader = CheckpointReader.open(modelDir)) {
      WeightSource source =
          new WeightSource() {
            @Override
            public Set<String> names() {
              return reader.names();
            }

            @Override
            public NDArray load(String name, NDManager manager) {
              return reader.load(name, manager);
            }
          };
      return load(config, source, parent, options);
    }
  }

  /**
   * Builds the model {@code config} describes from the checkpoint tensors of {@code source}, in a
   * new sub-manager of {@code parent} (its device is the model's device).
   */
  public static CausalLm load(
      ModelConfig config, WeightSource source, NDManager parent, LoadOptions options) {
    NDManager manager = parent.newSubManager();
    try {
      ModelWeights weights =
          new ModelWeights(
              source,
              manager,
              options.resolveComputeDtype(config),
              options.parameterDtype(),
              options.linearWeights());
      DecoderModel model =
          switch (config) {
            case LlamaConfig llama -> LlamaModel.load(llama, weights);
            case FalconConfig falcon -> FalconModel.load(falcon, weights);
          };
      Linear head =
          config.tieWordEmbeddings()
              ? weights.tiedLinear(LM_HEAD, model.embeddings().weight())
              : weights.linear(LM_HEAD, config.hiddenSize(), config.vocabSize(), false);
      return new CausalLm(config, manager, model, head, config.tieWordEmbeddings(), weights);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Logits {@code [batch, seq, vocab]} for {@code [batch, seq]} ids, no padding. */
  public NDArray logits(NDArray inputIds) {
    return forward(ForwardInput.of(inputIds));
  }

  /**
   * Logits {@code [batch, seq, vocab]} for padded ids; {@code attentionMask} is {@code [batch,
   * seq]}, 1 for real tokens and 0 for padding.
   */
  public NDArray logits(NDArray inputIds, NDArray attentionMask) {
    return forward(ForwardInput.of(inputIds).withAttentionMask(attentionMask));
  }

  /**
   * One forward pass. With a cache, the ids are the positions after the cached ones and the cache
   * is extended by them.
   *
   * @return logits {@code [batch, seq or 1, vocab]} in the compute dtype, attached to the input
   *     ids' manager
   */
  public NDArray forward(ForwardInput input) {
    NDManager caller = input.inputIds().getManager();
    Device device = manager.getDevice();
    try (NDScope scope = new NDScope();
        NDManager pass = manager.newSubManager()) {
      scope.suppressNotUsedWarning();
      NDArray ids = input.inputIds().toDevice(device, false);
      int batch = (int) ids.getShape().get(0);
      int seq = (int) ids.getShape().get(1);
      int past = input.cache().map(DecoderCache::length).orElse(0);
      NDArray positions =
          input
              .positionIds()
              .map(p -> p.toDevice(device, false))
              .orElseGet(
                  () ->
                      pass.arange(past, past + seq, 1, DataType.INT64)
                          .reshape(1, seq)
                          .broadcast(batch, seq));
      NDArray mask =
          AttentionMask.build(
              pass,
              batch,
              seq,
              past,
              input.attentionMask(),
              input.sequenceIds(),
              config.slidingWindow(),
              DataType.FLOAT32);
      AttentionContext context =
          new AttentionContext(rotary.angles(positions, computeDtype), mask, attentionScale);
      NDArray hidden = model.forward(ids, context, input.cache());
      if (input.lastPositionOnly()) {
        hidden = hidden.get(":, -1:, :");
      }
      NDArray logits = lmHead.forward(hidden);
      NDScope.unregister(logits);
      logits.attach(caller);
      return logits;
    }
  }

  /**
   * The rotary angles and additive mask of a cacheless pass over {@code [batch, seq]} tokens at
   * positions {@code 0..seq-1}, made in {@code manager}: what {@link #forward} builds for a plain
   * forward, for a caller that runs the decoder layers one at a time (a trainer with gradient
   * checkpointing).
   *
   * @param paddingMask {@code [batch, seq]}, 1 for real tokens and 0 for padding; empty when no
   *     token is padding
   */
  public AttentionContext attentionContext(
      NDManager manager, int batch, int seq, Optional<NDArray> paddingMask) {
    return attentionContext(manager, batch, seq, paddingMask, Optional.empty(), Optional.empty());
  }

  /**
   * The same for rows that may be packed, as {@link ForwardInput} describes them.
   *
   * @param positionIds {@code [batch, seq]}; empty means {@code 0..seq-1} in every row
   * @param sequenceIds {@code [batch, seq]}, the sample each token belongs to; empty when each row
   *     is one sample
   */
  public AttentionContext attentionContext(
      NDManager manager,
      int batch,
      int seq,
      Optional<NDArray> paddingMask,
      Optional<NDArray> positionIds,
      Optional<NDArray> sequenceIds) {
    positionIds.ifPresent(
        p -> {
          if (!p.getShape().equals(new Shape(batch, seq))) {
            throw new IllegalArgumentException(
                "position ids have shape "
                    + p.getShape()
                    + ", expected ("
                    + batch
                    + ", "
                    + seq
                    + ")");
          }
        });
    NDArray positions =
        positionIds.orElseGet(
            () -> manager.arange(0, seq, 1, DataType.INT64).reshape(1, seq).broadcast(batch, seq));
    NDArray mask =
        AttentionMask.build(
            manager,
            batch,
            seq,
            0,
            paddingMask,
            sequenceIds,
            config.slidingWindow(),
            DataType.FLOAT32);
    return new AttentionContext(rotary.angles(positions, computeDtype), mask, attentionScale);
  }

  /** An empty key/value cache for incremental decoding; the caller closes it. */
  public DecoderCache newCache() {
    return new DecoderCache(manager.newSubManager(), model.numLayers());
  }

  /**
   * Every projection by checkpoint module name (e.g. {@code model.layers.0.self_attn.q_proj}),
   * {@code lm_head} included, in checkpoint order. This is where LoRA adapters attach.
   */
  public Map<String, Linear> linears() {
    return weights.linears();
  }

  /**
   * Every dense parameter by checkpoint name ({@code model.norm.weight}, {@code
   * model.layers.0.self_attn.q_proj.weight}, biases...). A projection whose weight is not a {@link
   * DenseWeight} (e.g. quantized) is only reachable through {@link #linears()}; a tied {@code
   * lm_head} appears once, as the embeddings.
   */
  public Map<String, NDArray> parameters() {
    Map<String, NDArray> out = new LinkedHashMap<>(weights.tensors());
    for (Linear linear : weights.linears().values()) {
      if (linear == lmHead && tiedHead) {
        continue;
      }
      if (linear.weight() instanceof DenseWeight dense) {
        out.put(linear.name() + ".weight", dense.array());
      }
      linear.bias().ifPresent(b -> out.put(linear.name() + ".bias", b));
    }
    return out;
  }

  public ModelConfig config() {
    return config;
  }

  public DataType computeDtype() {
    return computeDtype;
  }

  public Device device() {
    return manager.getDevice();
  }

  public DecoderModel model() {
    return model;
  }

  public Linear lmHead() {
    return lmHead;
  }

  /** Whether {@code lm_head} shares the input embeddings. */
  public boolean tiedHead() {
    return tiedHead;
  }

  public RotaryEmbedding rotaryEmbedding() {
    return rotary;
  }

  /** The manager that owns the weights. */
  public NDManager manager() {
    return manager;
  }

  /** Frees every weight. Adapters attached to {@link #linears()} are their owners' to close. */
  @Override
  public void close() {
    manager.close();
  }
}
