package dev.tune.trainer.plan;

import dev.tune.trainer.model.FalconConfig;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.plan.ModelShapes.Projection;
import java.util.function.Predicate;

/**
 * The bytes of activations one micro-batch creates, counted op by op as tune's model code runs them
 * ({@code LlamaDecoderLayer}, {@code FalconDecoderLayer}, {@code ScaledDotProductAttention}, {@code
 * Linear}, {@code CausalLmLoss}), not as a formula from a paper. What makes the count differ from
 * PyTorch's usual rule of thumb:
 *
 * <ul>
 *   <li>Every op's output belongs to the step's {@code NDScope} and stays allocated until the scope
 *       closes, whether autograd saved it or not. A recorded layer therefore holds every
 *       intermediate it made, including each projection's dequantized weight.
 *   <li>The residual stream, norms, attention and the loss run in float32 (embeddings and norms are
 *       float32, a projection casts its output back to its input's dtype); only the projections'
 *       matmuls run in the compute dtype.
 *   <li>Attention is eager: scores, masked scores and probabilities are {@code [batch, heads, seq,
 *       seq]} float32 each.
 * </ul>
 */
final class ActivationModel {

  private static final long F32 = 4;

  private final ModelShapes shapes;
  private final RunShape run;
  private final Predicate<String> adapted;
  private final long t;
  private final long c;

  /**
   * @param adapted whether the projection of this relative name carries a LoRA adapter
   */
  ActivationModel(ModelShapes shapes, RunShape run, Predicate<String> adapted) {
    this.shapes = shapes;
    this.run = run;
    this.adapted = adapted;
    this.t = run.tokens();
    this.c = run.computeBytes();
  }

  /** A layer's input (the residual stream), what checkpointing keeps per layer. */
  long layerInput() {
    return t * shapes.hidden() * F32;
  }

  /** Everything one decoder layer's forward allocates and keeps until its scope closes. */
  long layerForward() {
    long h = shapes.hidden();
    ModelConfig config = shapes.config();
    long heads = config.numAttentionHeads();
    long kvHeads = config.numKeyValueHeads();
    long d = config.headDim();
    long q = heads * d;
    long kv = kvHeads * d;
    long bytes = 0;
    bytes += shapes.layerNorms() * norm(h);
    for (Projection p : shapes.projections()) {
      bytes += linear(p);
    }
    if (config instanceof FalconConfig f && f.qkvLayout() == FalconConfig.QkvLayout.GROUPED) {
      // the query heads are a strided slice of the fused output; reshaping it copies them
      bytes += t * q * F32;
    }
    bytes += rope(q) + rope(kv);
    bytes += attention(heads, d);
    long inner = shapes.intermediate();
    if (shapes.gatedMlp()) {
      bytes += 3 * t * inner * F32; // sigmoid, silu, gate * up
    } else {
      bytes += t * inner * F32; // gelu
    }
    bytes += 2 * t * h * F32; // two residual adds (or attention + MLP, then the residual)
    return bytes;
  }

  /**
   * What a layer's backward adds on top of its forward at its peak: two tensors of the widest
   * intermediate alive at once (in attention a gradient of the scores and the next one computed
   * from it, autograd freeing each as soon as it is consumed; in the MLP its inner width), the
   * gradient flowing in from the layer above and the one it returns for its input.
   */
  long layerBackward() {
    ModelConfig config = shapes.config();
    long scores = (long) run.batchSize() * config.numAttentionHeads() * run.seqLen() * run.seqLen();
    long widest = Math.max(scores, t * shapes.intermediate());
    return 2 * widest * F32 + 2 * t * shapes.hidden() * F32;
  }

  /**
   * The largest projection's dequantization at work, beyond the dense weight it leaves: the packed
   * codes widened to int64 (8 bytes per pair) and the looked-up pairs and scaled values in float32,
   * 12 bytes per weight in all, while the weight it returns takes {@code compute} bytes.
   */
  long dequantizeTransient() {
    if (!run.quantize4bit()) {
      return 0;
    }
    long largest = shapes.projections().stream().mapToLong(Projection::numel).max().orElse(0);
    return largest * (12 - c);
  }

  /** The final norm, the head's logits and the loss, forward. */
  long headForward() {
    long h = shapes.hidden();
    long v = shapes.vocab();
    long bytes = norm(h);
    if (c != F32) {
      bytes += t * h * c; // head input cast
      bytes += t * v * (c + F32); // logits, cast back to float32
      if (shapes.tiedHead()) {
        bytes += v * h * c; // the float32 embeddings cast for the matmul
      }
    } else {
      bytes += t * v * F32;
    }
    bytes += t * v * F32; // log-softmax
    return bytes;
  }

  /**
   * What the head's backward adds: two vocabulary-wide gradients at once (the gathered
   * log-probabilities' and log-softmax's input, then that and the logits').
   */
  long headBackward() {
    return 2 * t * shapes.vocab() * F32;
  }

  /** The attention mask and rotary tables one micro-batch shares across its layers. */
  long context() {
    long b = run.batchSize();
    long s = run.seqLen();
    long d = shapes.config().headDim();
    long mask = b * s * s * F32 + 2 * b * s * s + 3 * s * s;
    long rotary = t * d * (2 + 3 * F32) + 2 * t * d * c;
    return mask + rotary;
  }

  private long norm(long width) {
    return shapes.rmsNorm() ? 3 * t * width * F32 + 3 * t * F32 : t * width * F32 + 2 * t * F32;
  }

  /** {@code Linear.forward} and its adapter's {@code apply}, recorded. */
  private long linear(Projection p) {
    long bytes = 0;
    if (c != F32) {
      bytes += t * p.in() * c; // input cast
      bytes += t * p.out() * F32; // output cast back
      if (p.bias()) {
        bytes += p.out() * c;
      }
    }
    bytes += t * p.out() * c; // the product
    if (run.quantize4bit()) {
      bytes += p.numel() * c; // the weight dequantized for the product
    }
    if (adapted.test(p.name())) {
      long r = run.lora().r();
      if (run.lora().dropout() > 0) {
        bytes += t * p.in() * (F32 + 1); // dropped-out input and its mask
      }
      bytes += t * r * F32 + 3 * t * p.out() * F32; // down, up, scaled, sum
    }
    return bytes;
  }

  /** {@code x * cos + rotate_half(x) * sin} over {@code width} features. */
  private long rope(long width) {
    return (long) (4.5 * t * width * F32);
  }

  /** {@code ScaledDotProductAttention.attend}. */
  private long attention(long heads, long d) {
    long q = t * heads * d * F32;
    long scores = (long) run.batchSize() * heads * run.seqLen() * run.seqLen() * F32;
    long bytes = 4 * scores; // q·kᵀ, scaled, masked, softmax
    bytes += q; // the query in [batch, heads, seq, d] order for the batched matmul
    // keys and values: repeated for the query groups, or (one KV head per query head) made
    // contiguous for the batched matmul; a copy each way
    bytes += 2 * q;
    bytes += 2 * q; // probs·v, then back to [batch, seq, heads * d]
    return bytes;
  }
}
