/** Google Artifact Registry: registry tokens for the image build ({@code tune package}). */
package dev.tune.gcp.artifactregistry;
