package dev.tune.trainer.model;

import java.util.List;

/**
 * One forward pass's {@link AttentionContext} on every slot of a {@link ModelPlacement}: each
 * decoder layer attends with the copy on its own device.
 */
public final class AttentionContexts {

  private final ModelPlacement placement;
  private final List<AttentionContext> bySlot;

  AttentionContexts(ModelPlacement placement, List<AttentionContext> bySlot) {
    this.placement = placement;
    this.bySlot = List.copyOf(bySlot);
  }

  /** The context decoder layer {@code i} runs with. */
  public AttentionContext layer(int i) {
    return bySlot.get(placement.layers().get(i));
  }
}
