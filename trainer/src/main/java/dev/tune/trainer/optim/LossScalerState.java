package dev.tune.trainer.optim;

/**
 * What a checkpoint keeps of a {@link DynamicLossScaler}, as torch's {@code GradScaler.state_dict}.
 *
 * @param scale the current loss scale
 * @param growthTracker consecutive finite steps since the scale last changed
 */
public record LossScalerState(float scale, int growthTracker) {}
