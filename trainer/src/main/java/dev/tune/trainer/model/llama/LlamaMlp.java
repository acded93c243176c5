package dev.tune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import dev.tune.trainer.model.HiddenActivation;
import dev.tune.trainer.model.Linear;

/** {@code down_proj(act(gate_proj(x)) * up_proj(x))}. */
public final class LlamaMlp {

  private final Linear gateProj;
  private final Linear upProj;
  private final Linear downProj;
  private final HiddenActivation act;

  public LlamaMlp(Linear gateProj, Linear upProj, Linear downProj, HiddenActivation act) {
    this.gateProj = gateProj;
    this.upProj = upProj;
    this.downProj = downProj;
    this.act = act;
  }

  public NDArray forward(NDArray x) {
    return downProj.forward(act.apply(gateProj.forward(x)).mul(upProj.forward(x)));
  }
}
