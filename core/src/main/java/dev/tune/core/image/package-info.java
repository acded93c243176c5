/**
 * Credentials for container registries: the SPI through which cloud modules lend their tokens
 * (Amazon ECR, Artifact Registry) to the image build in {@code tune-container}.
 */
package dev.tune.core.image;
