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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

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
  private final ModelPlacement placement;
  private final List<NDManager> slots;
  private final ModuleNames names;
  private final DataType computeDtype;
  private final DecoderModel model;
  private final Linear lmHead;
  private final boolean tiedHead;
  private final RotaryEmbedding rotary;
  private final ModelWeights weights;
  private final List<NDArray> attentionScales;
  private final AtomicLong crossings = new AtomicLong();

  private CausalLm(
      ModelConfig config,
      NDManager manager,
      ModelPlacement placement,
      List<NDManager> slots,
      DecoderModel model,
      Linear lmHead,
      boolean tiedHead,
      ModelWeights weights) {
    this.config = config;
    this.manager = manager;
    this.placement = placement;
    this.slots = List.copyOf(slots);
    this.names = ModuleNames.of(config);
    this.computeDtype = weights.computeDtype();
    this.model = model;
    this.lmHead = lmHead;
    this.tiedHead = tiedHead;
    this.weights = weights;
    NDManager first = slots.get(placement.embeddings());
    this.rotary = new RotaryEmbedding(config.ropeParameters(), config.headDim(), first);
    float scale = (float) Math.pow((double) config.headDim(), -0.5);
    List<NDArray> scales = new ArrayList<>(slots.size());
    for (NDManager slot : slots) {
      scales.add(GraphConstant.of(slot, scale));
    }
    this.attentionScales = List.copyOf(scales);
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
   * new sub-manager of {@code parent}. Without a {@link LoadOptions#placement()} every module lives
   * on {@code parent}'s device; with one, each slot gets its own sub-manager on its device and
   * every tensor is loaded (and quantized) into its module's.
   */
  public static CausalLm load(
      ModelConfig config, WeightSource source, NDManager parent, LoadOptions options) {
    NDManager manager = parent.newSubManager();
    try {
      ModelPlacement placement =
          options
              .placement()
              .orElseGet(() -> ModelPlacement.allOn(manager.getDevice(), config.numHiddenLayers()));
      requireFits(placement, config);
      List<NDManager> slots = new ArrayList<>();
      if (options.placement().isEmpty()) {
        slots.add(manager);
      } else {
        for (Device device : placement.devices()) {
          slots.add(manager.newSubManager(device));
        }
      }
      ModuleNames names = ModuleNames.of(config);
      ModelWeights weights =
          new ModelWeights(
              source,
              name -> slots.get(names.slotOf(name, placement)),
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
      return new CausalLm(
          config, manager, placement, slots, model, head, config.tieWordEmbeddings(), weights);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static void requireFits(ModelPlacement placement, ModelConfig config) {
    if (placement.layers().size() != config.numHiddenLayers()) {
      throw new IllegalArgumentException(
          "the placement places "
              + placement.layers().size()
              + " decoder layers but the model has "
              + config.numHiddenLayers()
              + "; plan the placement from this model's config.json");
    }
    if (config.tieWordEmbeddings() && placement.head() != placement.embeddings()) {
      throw new IllegalArgumentException(
          "lm_head shares the input embeddings (tie_word_embeddings) but is placed on slot "
              + placement.head()
              + " and the embeddings on slot "
              + placement.embeddings()
              + "; place the tied head with the embeddings");
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
   * @return logits {@code [batch, seq or 1, vocab]} in the compute dtype, on the head's device,
   *     attached to the input ids' manager
   */
  public NDArray forward(ForwardInput input) {
    NDManager caller = input.inputIds().getManager();
    Device device = slots.get(placement.embeddings()).getDevice();
    try (NDScope scope = new NDScope();
        NDManager pass = slots.get(placement.embeddings()).newSubManager()) {
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
              input.attentionMask().map(m -> m.toDevice(device, false)),
              input.sequenceIds().map(s -> s.toDevice(device, false)),
              config.slidingWindow(),
              DataType.FLOAT32);
      AttentionContexts contexts = contexts(rotary.angles(positions, computeDtype), mask);
      NDArray hidden = model.embed(ids);
      for (int i = 0; i < model.numLayers(); i++) {
        int layer = i;
        hidden = enterLayer(i, hidden);
        hidden = model.layer(i, hidden, contexts.layer(i), input.cache().map(c -> c.layer(layer)));
      }
      if (input.lastPositionOnly()) {
        hidden = hidden.get(":, -1:, :");
      }
      NDArray logits = head(hidden);
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
    return new AttentionContext(
        rotary.angles(positions, computeDtype), mask, attentionScales.get(placement.embeddings()));
  }

  /**
   * {@link #attentionContext(NDManager, int, int, Optional, Optional, Optional)} for every slot of
   * the placement: built once on the embeddings' device, copied to each other slot's device (the
   * copies owned by {@code manager}). The arrays given must be on the embeddings' device.
   */
  public AttentionContexts attentionContexts(
      NDManager manager,
      int batch,
      int seq,
      Optional<NDArray> paddingMask,
      Optional<NDArray> positionIds,
      Optional<NDArray> sequenceIds) {
    AttentionContext first =
        attentionContext(manager, batch, seq, paddingMask, positionIds, sequenceIds);
    return contexts(first.angles(), first.mask());
  }

  private AttentionContexts contexts(RotaryEmbedding.Angles angles, NDArray mask) {
    List<AttentionContext> bySlot = new ArrayList<>(slots.size());
    Device home = slots.get(placement.embeddings()).getDevice();
    for (int slot = 0; slot < slots.size(); slot++) {
      Device device = slots.get(slot).getDevice();
      if (device.equals(home)) {
        bySlot.add(new AttentionContext(angles, mask, attentionScales.get(slot)));
      } else {
        // constants of the pass: no gradient flows into them, so a plain copy does
        RotaryEmbedding.Angles moved =
            new RotaryEmbedding.Angles(
                angles.cos().toDevice(device, false), angles.sin().toDevice(device, false));
        bySlot.add(
            new AttentionContext(moved, mask.toDevice(device, false), attentionScales.get(slot)));
      }
    }
    return new AttentionContexts(placement, bySlot);
  }

  /**
   * Moves the input of decoder layer {@code i} from the slot that produced it to the layer's own,
   * through a copy autograd sees through; {@code hidden} itself when both are the same slot.
   */
  public NDArray enterLayer(int i, NDArray hidden) {
    return cross(hidden, placement.slotBeforeLayer(i), placement.layers().get(i));
  }

  /**
   * Moves the gradient of decoder layer {@code i}'s input back to the slot that produced that input
   * (gradient checkpointing backpropagates layer by layer); {@code gradient} itself when both are
   * the same slot. Not recorded.
   */
  public NDArray gradientBeforeLayer(int i, NDArray gradient) {
    int from = placement.layers().get(i);
    int to = placement.slotBeforeLayer(i);
    if (from == to) {
      return gradient;
    }
    crossings.incrementAndGet();
    return gradient.toDevice(slots.get(to).getDevice(), true);
  }

  /**
   * The final norm and {@code lm_head} over the last decoder layer's output, each on its slot:
   * logits {@code [batch, seq, vocab]} on the head's device.
   */
  public NDArray head(NDArray lastHidden) {
    NDArray normed =
        model.finalNorm(cross(lastHidden, placement.lastLayerSlot(), placement.finalNorm()));
    return lmHead.forward(cross(normed, placement.finalNorm(), placement.head()));
  }

  /** The device {@code lm_head} runs on, where the logits and the loss are. */
  public Device headDevice() {
    return slots.get(placement.head()).getDevice();
  }

  /** The device of the input embeddings, where token ids go in. */
  public Device inputDevice() {
    return slots.get(placement.embeddings()).getDevice();
  }

  /** Where each module lives; every module on one slot unless loaded with a placement. */
  public ModelPlacement placement() {
    return placement;
  }

  /** The manager that owns the weights of module {@code module} (e.g. where its adapter goes). */
  public NDManager managerOf(String module) {
    return slots.get(names.slotOf(module, placement));
  }

  /**
   * How many times activations or gradients have crossed from one slot to another since the model
   * was loaded; 0 on a single device.
   */
  public long slotCrossings() {
    return crossings.get();
  }

  private NDArray cross(NDArray x, int from, int to) {
    if (from == to) {
      return x;
    }
    crossings.incrementAndGet();
    return DeviceTransfer.to(x, slots.get(to).getDevice());
  }

  /**
   * An empty key/value cache for incremental decoding; the caller closes it. Each layer's cached
   * keys and values stay on that layer's device.
   */
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

  /** The device of the manager the model was loaded into (of every module, unless placed). */
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
