package dev.tune.trainer.model.falcon;

import ai.djl.ndarray.NDArray;
import dev.tune.trainer.model.HiddenActivation;
import dev.tune.trainer.model.Linear;

/** {@code dense_4h_to_h(act(dense_h_to_4h(x)))}. */
public final class FalconMlp {

  private final Linear denseHTo4h;
  private final Linear dense4hToH;
  private final HiddenActivation act;

  public FalconMlp(Linear denseHTo4h, Linear dense4hToH, HiddenActivation act) {
    this.denseHTo4h = denseHTo4h;
    this.dense4hToH = dense4hToH;
    this.act = act;
  }

  public NDArray forward(NDArray x) {
    return dense4hToH.forward(act.apply(denseHTo4h.forward(x)));
  }
}
