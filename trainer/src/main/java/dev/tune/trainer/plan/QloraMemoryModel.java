package dev.tune.trainer.plan;

import dev.tune.trainer.lora.TargetModules;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.optim.AdamW8bit;
import dev.tune.trainer.optim.OptimizerName;
import dev.tune.trainer.plan.ModelShapes.Projection;
import dev.tune.trainer.quant.Blockwise8bit;
import dev.tune.trainer.quant.Nf4Tensor;
import dev.tune.trainer.train.QloraModelPreparer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Estimates the device memory of a QLoRA run from the model's {@code config.json} alone, the way
 * tune's trainer lays the run out: projections in NF4 ({@link Nf4Tensor#storageBytes(long, int,
 * boolean) the packed size}), embeddings and norms in float32, an untied head in the compute dtype,
 * float32 LoRA weights with float32 gradients, the optimizer's moments, and the activations of
 * {@link ActivationModel}.
 */
public final class QloraMemoryModel {

  /**
   * A device's fixed cost on a GPU: the CUDA context with libtorch's kernels loaded (about 0.5
   * GiB), cuBLAS workspaces, and the caching allocator's rounding and fragmentation.
   */
  public static final long GPU_RUNTIME_BYTES = 1L << 30;

  private static final long F32 = 4;

  private QloraMemoryModel() {}

  /** The estimate for a GPU run ({@link #GPU_RUNTIME_BYTES} per device). */
  public static MemoryEstimate estimate(ModelConfig config, RunShape run) {
    return estimate(config, run, GPU_RUNTIME_BYTES);
  }

  /**
   * @param runtimeBytes the fixed cost per device in use
   */
  public static MemoryEstimate estimate(ModelConfig config, RunShape run, long runtimeBytes) {
    ModelShapes shapes = ModelShapes.of(config);
    TargetModules targets =
        QloraModelPreparer.loraConfig(run.lora(), config.architecture(), "plan").targetModules();
    String layer0 = shapes.layerName(0) + ".";
    Predicate<String> adapted = name -> targets.matches(layer0 + name);
    ActivationModel activations = new ActivationModel(shapes, run, adapted);
    long c = run.computeBytes();
    long embeddingWeights = shapes.vocab() * shapes.hidden() * F32;
    long headWeights = shapes.tiedHead() ? 0 : shapes.vocab() * shapes.hidden() * c;
    long finalNorm = shapes.finalNormElements() * F32;

    long layerWeights = shapes.layerNormElements() * F32;
    long layerAdapters = 0;
    long layerHost = 0;
    for (Projection p : shapes.projections()) {
      layerWeights +=
          run.quantize4bit()
              ? Nf4Tensor.storageBytes(p.numel(), Nf4Tensor.DEFAULT_BLOCKSIZE, run.doubleQuant())
              : p.numel() * c;
      if (p.bias()) {
        layerWeights += p.out() * F32;
      }
      if (adapted.test(p.name())) {
        long r = run.lora().r();
        for (long numel : new long[] {r * p.in(), p.out() * r}) {
          layerAdapters += 2 * numel * F32; // weight and gradient
          long moments = momentBytes(run.optimizer(), numel);
          if (pagedToHost(run.optimizer(), numel)) {
            layerHost += moments;
          } else {
            layerAdapters += moments;
          }
        }
      }
    }

    long top = activations.layerInput();
    long layerSaved;
    long layerWorking;
    long headSaved;
    long headWorking;
    long layerPeak = Math.max(activations.layerBackward(), activations.dequantizeTransient());
    if (run.gradientCheckpointing()) {
      layerSaved = activations.layerInput();
      // The recomputation runs in a scope of its own: one layer's forward, held until its
      // backward is done, plus that backward's peak (which counts the upstream and input
      // gradients). Nothing of the first, unrecorded pass survives but the layer inputs.
      layerWorking = activations.layerForward() + layerPeak;
      headSaved = 0;
      headWorking = activations.headForward() + activations.headBackward() + top;
    } else {
      layerSaved = activations.layerForward();
      layerWorking = layerPeak;
      headSaved = activations.headForward();
      headWorking = activations.headBackward();
    }

    List<ModuleMemory> modules = new ArrayList<>();
    String headName = ModelShapes.HEAD_NAME;
    if (shapes.tiedHead()) {
      // The head shares the embeddings' weight, so it runs where they are, as accelerate does
      // with tied weights: the last hidden state comes back to the first device for the loss.
      modules.add(
          new ModuleMemory(
              shapes.embeddingName() + "+" + headName,
              embeddingWeights,
              0,
              headSaved,
              headWorking));
    } else {
      modules.add(new ModuleMemory(shapes.embeddingName(), embeddingWeights, 0, 0, top));
    }
    for (int i = 0; i < shapes.layers(); i++) {
      modules.add(
          new ModuleMemory(
              shapes.layerName(i), layerWeights, layerAdapters, layerSaved, layerWorking));
    }
    if (shapes.tiedHead()) {
      modules.add(new ModuleMemory(shapes.finalNormName(), finalNorm, 0, 0, 0));
    } else {
      modules.add(
          new ModuleMemory(
              shapes.finalNormName() + "+" + headName,
              finalNorm + headWeights,
              0,
              headSaved,
              headWorking));
    }
    long weights = embeddingWeights + headWeights + finalNorm + layerWeights * shapes.layers();
    return new MemoryEstimate(
        modules, activations.context(), runtimeBytes, layerHost * shapes.layers(), weights);
  }

  /** The two AdamW moments of a parameter of {@code numel} elements. */
  static long momentBytes(OptimizerName optimizer, long numel) {
    if (optimizer == OptimizerName.ADAMW_TORCH || numel < AdamW8bit.MIN_8BIT_SIZE) {
      return 2 * numel * F32;
    }
    // one byte per element and a float32 absmax per block of 256, for each moment
    long blocks = (numel + Blockwise8bit.DEFAULT_BLOCKSIZE - 1) / Blockwise8bit.DEFAULT_BLOCKSIZE;
    return 2 * (numel + F32 * blocks);
  }

  private static boolean pagedToHost(OptimizerName optimizer, long numel) {
    return optimizer == OptimizerName.PAGED_ADAMW_8BIT
        && numel >= AdamW8bit.MIN_8BIT_SIZE
        && numel >= AdamW8bit.PAGED_MIN_SIZE;
  }
}
