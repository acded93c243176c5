/**
 * Local endpoints: detached prediction server processes on loopback ports, described by their
 * process and health route, queried over the SageMaker contract.
 */
package dev.tune.local.endpoints;
