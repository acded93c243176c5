/**
 * Local runs of the cloud providers' container contracts, without a container engine: {@link
 * dev.tune.container.contract.ContractRunner} lays out a directory as SageMaker or Vertex lays out
 * the container, stages the inputs, and runs {@code ContainerMain train} or {@code serve} as a
 * child JVM ({@link dev.tune.container.contract.ChildJvm}) pointed at it.
 */
package dev.tune.container.contract;
