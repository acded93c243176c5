package dev.tune.trainer.train;

/**
 * The evaluation with the lowest loss so far (transformers' {@code best_metric} and {@code
 * best_global_step}).
 *
 * @param step the optimizer step it was made at
 * @param loss its {@code eval_loss}
 */
public record BestEvaluation(int step, double loss) {}
