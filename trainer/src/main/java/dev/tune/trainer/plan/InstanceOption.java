package dev.tune.trainer.plan;

import java.util.OptionalDouble;

/**
 * A machine a run fits on, with what it would cost.
 *
 * @param instance the machine
 * @param plan the run placed on its GPUs
 * @param hours the run's estimated duration; empty without a token count
 * @param costUsd the estimated price of the run; empty without a token count
 */
public record InstanceOption(
    InstanceType instance, RunPlan plan, OptionalDouble hours, OptionalDouble costUsd) {}
