package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** A weight kept as a plain dense array, cast on use when the compute dtype differs. */
public final class DenseWeight implements LinearWeight {

  private final NDArray array;

  public DenseWeight(NDArray array) {
    this.array = array;
  }

  /** The stored array, owned by the model's manager. */
  public NDArray array() {
    return array;
  }

  @Override
  public NDArray dense(DataType computeDtype) {
    return array.toType(computeDtype, false);
  }

  @Override
  public String toString() {
    return "DenseWeight" + array.getShape() + " " + array.getDataType();
  }
}
