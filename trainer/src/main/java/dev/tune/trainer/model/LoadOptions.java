package dev.tune.trainer.model;

import ai.djl.ndarray.types.DataType;
import dev.tune.core.error.BadInputException;
import java.util.Objects;
import java.util.Optional;

/**
 * How to load a model.
 *
 * @param computeDtype the dtype of activations and dense weights: float32 or float16; empty means
 *     float16 for a float16 checkpoint and float32 otherwise. bfloat16 is refused: DJL 0.36's
 *     PyTorch bridge maps no dtype code to bfloat16 and aborts the JVM when asked for one, so a
 *     bfloat16 checkpoint computes in float32 (exact) or, when asked, float16
 * @param parameterDtype the dtype of the plain parameters (embeddings, norms, biases); empty means
 *     the compute dtype. QLoRA training keeps them in float32 while the projections compute in
 *     float16, as peft's {@code prepare_model_for_kbit_training} does
 * @param linearWeights makes each projection's frozen weight (dense by default)
 * @param placement which device each module lives and runs on; empty means every module on the
 *     device of the manager the model is loaded into
 */
public record LoadOptions(
    Optional<DataType> computeDtype,
    Optional<DataType> parameterDtype,
    LinearWeightFactory linearWeights,
    Optional<ModelPlacement> placement) {

  public LoadOptions {
    Objects.requireNonNull(computeDtype, "computeDtype");
    Objects.requireNonNull(parameterDtype, "parameterDtype");
    Objects.requireNonNull(linearWeights, "linearWeights");
    Objects.requireNonNull(placement, "placement");
    computeDtype.ifPresent(LoadOptions::requireFloating);
    parameterDtype.ifPresent(LoadOptions::requireFloating);
  }

  public static LoadOptions defaults() {
    return new LoadOptions(
        Optional.empty(), Optional.empty(), LinearWeightFactory.dense(), Optional.empty());
  }

  public LoadOptions withComputeDtype(DataType dtype) {
    return new LoadOptions(Optional.of(dtype), parameterDtype, linearWeights, placement);
  }

  public LoadOptions withParameterDtype(DataType dtype) {
    return new LoadOptions(computeDtype, Optional.of(dtype), linearWeights, placement);
  }

  public LoadOptions withLinearWeights(LinearWeightFactory factory) {
    return new LoadOptions(computeDtype, parameterDtype, factory, placement);
  }

  public LoadOptions withPlacement(ModelPlacement modelPlacement) {
    return new LoadOptions(
        computeDtype, parameterDtype, linearWeights, Optional.of(modelPlacement));
  }

  /** The compute dtype for a model whose {@code config.json} names its dtype. */
  DataType resolveComputeDtype(ModelConfig config) {
    return computeDtype.orElseGet(
        () ->
            switch (config.dtype().orElse("float32")) {
              case "float16", "half" -> DataType.FLOAT16;
              default -> DataType.FLOAT32;
            });
  }

  private static void requireFloating(DataType dtype) {
    if (dtype == DataType.BFLOAT16) {
      throw new BadInputException(
          "compute dtype bfloat16 is not available: DJL 0.36's PyTorch bridge cannot make"
              + " bfloat16 tensors (it aborts the JVM)",
          "compute in float16 or float32");
    }
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
      throw new BadInputException(
          "compute dtype must be float32 or float16, got " + dtype, "choose float16 or float32");
    }
  }
}
