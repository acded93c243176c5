package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.trainer.lora.LoraConfig;
import dev.tune.trainer.lora.LoraLayers;
import dev.tune.trainer.lora.TargetModules;
import dev.tune.trainer.model.Architecture;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.LinearWeight;
import dev.tune.trainer.model.LinearWeightFactory;
import dev.tune.trainer.model.LoadOptions;
import dev.tune.trainer.model.ModelPlacement;
import dev.tune.trainer.quant.Nf4Tensor;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a Hugging Face base model the way a QLoRA run needs it, as transformers with {@code
 * BitsAndBytesConfig(load_in_4bit=True)} followed by peft's {@code prepare_model_for_kbit_training}
 * and {@code get_peft_model} would:
 *
 * <ol>
 *   <li>every projection except {@code lm_head} is quantized to NF4 (blocksize 64, double
 *       quantization as configured) once, while it loads; embeddings and {@code lm_head} stay
 *       dense. With {@code quantization: none} all projections stay dense.
 *   <li>embeddings, norms and biases are kept in float32; projections compute in the run's compute
 *       dtype.
 *   <li>LoRA adapters are attached to the target modules, initialised as peft does from the seed.
 *       Only their weights record gradients.
 * </ol>
 */
public final class QloraModelPreparer {

  private final QuantizationSpec quantization;
  private final LoraSpec lora;
  private final ComputePrecision precision;
  private final long seed;
  private final Optional<ModelPlacement> placement;

  /**
   * @param seed the seed of the adapters' initialisation (the run's {@code seed})
   */
  public QloraModelPreparer(
      QuantizationSpec quantization, LoraSpec lora, ComputePrecision precision, long seed) {
    this(quantization, lora, precision, seed, Optional.empty());
  }

  private QloraModelPreparer(
      QuantizationSpec quantization,
      LoraSpec lora,
      ComputePrecision precision,
      long seed,
      Optional<ModelPlacement> placement) {
    this.quantization = Objects.requireNonNull(quantization, "quantization");
    this.lora = Objects.requireNonNull(lora, "lora");
    this.precision = Objects.requireNonNull(precision, "precision");
    this.seed = seed;
    this.placement = placement;
  }

  /**
   * The same preparation with the modules spread over devices as {@code modelPlacement} says: each
   * layer is loaded, quantized and given its adapters on its own device.
   */
  public QloraModelPreparer withPlacement(ModelPlacement modelPlacement) {
    return new QloraModelPreparer(quantization, lora, precision, seed, Optional.of(modelPlacement));
  }

  /**
   * Loads the model in {@code baseModelDir} into a sub-manager of {@code parent} (whose device the
   * model runs on) and attaches fresh adapters. Call it outside any {@code NDScope}: the quantized
   * weights must outlive the caller's scopes.
   *
   * @param baseModelName written to the adapter's {@code base_model_name_or_path}
   */
  public QloraModel prepare(Path baseModelDir, String baseModelName, NDManager parent) {
    Set<String> quantized = new LinkedHashSet<>();
    LoadOptions options =
        LoadOptions.defaults()
            .withComputeDtype(precision.computeDtype())
            .withParameterDtype(precision.parameterDtype())
            .withLinearWeights(weightFactory(quantized));
    if (placement.isPresent()) {
      options = options.withPlacement(placement.get());
    }
    CausalLm model = CausalLm.load(baseModelDir, parent, options);
    try {
      LoraConfig config = loraConfig(lora, model.config().architecture(), baseModelName);
      LoraLayers layers = LoraLayers.inject(model.linears(), config, seed, model::managerOf);
      return new QloraModel(model, layers, precision, quantized);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private LinearWeightFactory weightFactory(Set<String> quantized) {
    LinearWeightFactory dense = LinearWeightFactory.dense();
    if (!quantization.loadIn4bit()) {
      return dense;
    }
    boolean doubleQuant = quantization.useDoubleQuant();
    return (name, weight, computeDtype) -> {
      if (name.equals(CausalLm.LM_HEAD)) {
        return dense.create(name, weight, computeDtype);
      }
      LinearWeight nf4 = new Nf4Weight(quantize(weight, doubleQuant));
      quantized.add(name);
      return nf4;
    };
  }

  private static Nf4Tensor quantize(NDArray weight, boolean doubleQuant) {
    try (weight) {
      return Nf4Tensor.quantize(weight, doubleQuant, Nf4Tensor.DEFAULT_BLOCKSIZE);
    }
  }

  /**
   * peft's {@code LoraConfig} for the spec: an empty {@code target_modules} means peft's default
   * for the architecture ({@code q_proj, v_proj} for Llama and Mistral, {@code query_key_value} for
   * Falcon).
   */
  public static LoraConfig loraConfig(
      LoraSpec spec, Architecture architecture, String baseModelName) {
    TargetModules targets;
    if (spec.targetsAllLinear()) {
      targets = TargetModules.allLinear();
    } else if (spec.targetModules().isEmpty()) {
      targets = TargetModules.names(defaultTargets(architecture));
    } else {
      targets = TargetModules.names(spec.targetModules());
    }
    return LoraConfig.builder()
        .r(spec.r())
        .loraAlpha(spec.alpha())
        .loraDropout(spec.dropout())
        .targetModules(targets)
        .baseModelNameOrPath(baseModelName)
        .build();
  }

  /** peft's {@code TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING} for tune's families. */
  static List<String> defaultTargets(Architecture architecture) {
    return switch (architecture) {
      case LLAMA, MISTRAL -> List.of("q_proj", "v_proj");
      case FALCON -> List.of("query_key_value");
    };
  }
}
