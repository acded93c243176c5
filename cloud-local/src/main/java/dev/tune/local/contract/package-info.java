/**
 * The local provider under a cloud contract ({@code LocalContract.SAGEMAKER} or {@code VERTEX}):
 * small detached driver processes that run the container's {@link
 * dev.tune.container.contract.ContractRunner} inside a job's or endpoint's directory, so the
 * provider's jobs and endpoints commands work on them as on any local run.
 */
package dev.tune.local.contract;
