package dev.tune.gcp.artifactregistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.tune.core.error.AuthException;
import dev.tune.core.image.RegistryCredential;
import dev.tune.core.image.RegistryCredentialProviders;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

class ArtifactRegistryCredentialProviderTest {
  @Test
  void servesArtifactRegistryAndContainerRegistryHosts() {
    ArtifactRegistryCredentialProvider provider = new ArtifactRegistryCredentialProvider();
    assertThat(provider.serves("europe-west4-docker.pkg.dev")).isTrue();
    assertThat(provider.serves("us-docker.pkg.dev")).isTrue();
    assertThat(provider.serves("gcr.io")).isTrue();
    assertThat(provider.serves("eu.gcr.io")).isTrue();
    assertThat(provider.serves("europe-west4-maven.pkg.dev")).isFalse();
    assertThat(provider.serves("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).isFalse();
    assertThat(provider.serves("localhost:5000")).isFalse();
  }

  @Test
  void isFoundByServiceLoaderForArtifactRegistryHosts() {
    assertThat(RegistryCredentialProviders.installed().forRegistry("us-docker.pkg.dev"))
        .get()
        .isInstanceOf(ArtifactRegistryCredentialProvider.class);
  }

  @Test
  void givesTheAccessTokenAsTheOauth2User() {
    AccessToken token =
        new AccessToken("ya29.token-value", Date.from(Instant.now().plusSeconds(3600)));
    ArtifactRegistryCredentialProvider provider =
        new ArtifactRegistryCredentialProvider(() -> GoogleCredentials.create(token));

    RegistryCredential credential = provider.credential("europe-west4-docker.pkg.dev");

    assertThat(credential.username()).isEqualTo("oauth2accesstoken");
    assertThat(credential.password()).isEqualTo("ya29.token-value");
  }

  @Test
  void missingCredentialsAreAnAuthErrorWithTheFix() {
    ArtifactRegistryCredentialProvider provider =
        new ArtifactRegistryCredentialProvider(
            () -> {
              throw new IOException("The Application Default Credentials are not available.");
            });

    assertThatThrownBy(() -> provider.credential("us-docker.pkg.dev"))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("us-docker.pkg.dev")
        .satisfies(
            e -> assertThat(((AuthException) e).fix()).contains("application-default login"));
  }
}
