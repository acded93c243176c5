package dev.tune.trainer.eval;

/**
 * The loss of a model on a set of texts.
 *
 * @param loss the mean next-token cross-entropy over every predicted token of every record (nats)
 * @param perplexity {@code exp(loss)}
 * @param tokens the predicted tokens: the sum over records of their token count minus one
 * @param records the records read
 */
public record EvalResult(double loss, double perplexity, long tokens, int records) {}
