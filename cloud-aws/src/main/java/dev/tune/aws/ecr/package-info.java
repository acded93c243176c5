/** Amazon ECR: registry tokens and repositories for the image build ({@code tune package}). */
package dev.tune.aws.ecr;
