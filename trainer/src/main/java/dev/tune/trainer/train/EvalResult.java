package dev.tune.trainer.train;

/**
 * An evaluation: the mean next-token loss over every counted label of the evaluation data (not the
 * mean of per-batch means), and what it covered.
 *
 * @param loss total token loss divided by {@code tokens}
 * @param tokens the labels counted
 * @param examples the examples evaluated
 * @param runtimeSeconds wall-clock time of the evaluation
 */
public record EvalResult(double loss, long tokens, int examples, double runtimeSeconds) {}
