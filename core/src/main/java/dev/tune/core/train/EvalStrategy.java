package dev.tune.core.train;

/**
 * When the trainer evaluates ({@code eval_strategy}), named as in transformers' {@code
 * TrainingArguments}. Unlike transformers, whose default is {@code no}, tune defaults to {@link
 * #STEPS}: a run given evaluation data evaluates it.
 */
public enum EvalStrategy {
  /** Never evaluate, not even at the end. */
  NO,
  /** Every {@code eval_steps} optimizer steps, and once more at the end of the run. */
  STEPS,
  /** At the end of every epoch, and once more at the end of the run. */
  EPOCH
}
