package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Takes a model's tensors from a checkpoint by name while its modules are built, and remembers
 * them: the plain parameters (embeddings, norms, biases) and every {@link Linear}.
 *
 * <p>Everything it keeps lives in the manager of the device its module is placed on (see {@link
 * ModelPlacement}) and outlives any {@link NDScope} the load runs in.
 */
public final class ModelWeights {

  private final WeightSource source;
  private final Set<String> available;
  private final Function<String, NDManager> managerOf;
  private final DataType computeDtype;
  private final DataType parameterDtype;
  private final LinearWeightFactory linearWeights;
  private final Map<String, NDArray> tensors = new LinkedHashMap<>();
  private final Map<String, Linear> linears = new LinkedHashMap<>();

  ModelWeights(
      WeightSource source,
      Function<String, NDManager> managerOf,
      DataType computeDtype,
      Optional<DataType> parameterDtype,
      LinearWeightFactory linearWeights) {
    this.source = source;
    this.available = source.names();
    this.managerOf = managerOf;
    this.computeDtype = computeDtype;
    this.parameterDtype = parameterDtype.orElse(computeDtype);
    this.linearWeights = linearWeights;
  }

  public DataType computeDtype() {
    return computeDtype;
  }

  public boolean contains(String name) {
    return available.contains(name);
  }

  /**
   * A plain parameter, cast to the parameter dtype (the compute dtype unless {@link
   * LoadOptions#parameterDtype()} says otherwise), checked against the shape the config implies.
   */
  public NDArray tensor(String name, Shape expected) {
    NDArray cast = loadAs(name, expected, parameterDtype);
    tensors.put(name, cast);
    return cast;
  }

  /**
   * The projection {@code module} with weight {@code module.weight} of shape {@code [out, in]} and,
   * when {@code bias}, {@code module.bias}.
   */
  public Linear linear(String module, long in, long out, boolean bias) {
    NDArray checkpoint = loadChecked(module + ".weight", new Shape(out, in));
    LinearWeight weight = linearWeights.create(module, checkpoint, computeDtype);
    if (weight instanceof DenseWeight dense) {
      keep(dense.array(), module);
    }
    NDArray b = bias ? loadAs(module + ".bias", new Shape(out), parameterDtype) : null;
    Linear linear = new Linear(module, in, out, weight, b, computeDtype);
    linears.put(module, linear);
    return linear;
  }

  /** A projection that shares {@code weight} (the tied-embedding output head). */
  public Linear tiedLinear(String module, NDArray weight) {
    Shape s = weight.getShape();
    Linear linear =
        new Linear(module, s.get(1), s.get(0), new DenseWeight(weight), null, computeDtype);
    linears.put(module, linear);
    return linear;
  }

  /** Every projection, by module name, in load order. */
  public Map<String, Linear> linears() {
    return Collections.unmodifiableMap(linears);
  }

  /** The plain parameters (not projections), by checkpoint name. */
  Map<String, NDArray> tensors() {
    return Collections.unmodifiableMap(tensors);
  }

  private NDArray loadAs(String name, Shape expected, DataType dtype) {
    NDArray stored = loadChecked(name, expected);
    NDArray cast = stored.toType(dtype, false);
    if (cast != stored) {
      stored.close();
    }
    keep(cast, name);
    return cast;
  }

  private NDArray loadChecked(String name, Shape expected) {
    if (!available.contains(name)) {
      throw new ModelConfigException(
          "the checkpoint lacks " + name + " (expected shape " + expected + ")",
          "use the config.json saved with these weights, from a complete checkpoint download");
    }
    NDArray array = source.load(name, managerOf.apply(name));
    keep(array, name);
    if (!array.getShape().equals(expected)) {
      Shape actual = array.getShape();
      array.close();
      throw new ModelConfigException(
          name + " has shape " + actual + " but config.json implies " + expected,
          "use the config.json saved with these weights");
    }
    return array;
  }

  private void keep(NDArray array, String name) {
    NDManager manager = managerOf.apply(name);
    NDScope.unregister(array);
    if (array.getManager() != manager) {
      array.attach(manager);
    }
  }
}
