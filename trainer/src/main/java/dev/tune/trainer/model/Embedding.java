package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;

/** A token embedding table, {@code [vocab, hidden]}, looked up by id. */
public final class Embedding {

  private final String name;
  private final NDArray weight;

  public Embedding(String name, NDArray weight) {
    this.name = name;
    this.weight = weight;
  }

  /** The module name, e.g. {@code model.embed_tokens}. */
  public String name() {
    return name;
  }

  public NDArray weight() {
    return weight;
  }

  /** {@code [batch, seq]} ids to {@code [batch, seq, hidden]} vectors. */
  public NDArray forward(NDArray inputIds) {
    NDArray ids = inputIds.toType(DataType.INT64, false);
    return ids.getNDArrayInternal().embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
  }
}
