package dev.tune.gcp.artifactregistry;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.tune.core.error.AuthException;
import dev.tune.core.image.RegistryCredential;
import dev.tune.core.image.RegistryCredentialProvider;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Registry credentials for Google Artifact Registry ({@code LOCATION-docker.pkg.dev}) and the
 * Container Registry hosts it serves ({@code gcr.io} and its regional names): an OAuth2 access
 * token of the Application Default Credentials, as the user {@code oauth2accesstoken}.
 */
public final class ArtifactRegistryCredentialProvider implements RegistryCredentialProvider {
  static final String USER = "oauth2accesstoken";
  private static final List<String> SCOPES =
      List.of("https://www.googleapis.com/auth/cloud-platform");

  private final CredentialsSource credentials;

  /** Where the Google credentials come from; the default is Application Default Credentials. */
  @FunctionalInterface
  public interface CredentialsSource {
    GoogleCredentials get() throws IOException;
  }

  /** For {@link java.util.ServiceLoader}: Application Default Credentials. */
  public ArtifactRegistryCredentialProvider() {
    this(GoogleCredentials::getApplicationDefault);
  }

  public ArtifactRegistryCredentialProvider(CredentialsSource credentials) {
    this.credentials = credentials;
  }

  @Override
  public String name() {
    return "Google Artifact Registry";
  }

  @Override
  public boolean serves(String registry) {
    String host = registry.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
    return host.endsWith("-docker.pkg.dev") || host.equals("gcr.io") || host.endsWith(".gcr.io");
  }

  @Override
  public RegistryCredential credential(String registry) {
    GoogleCredentials google;
    try {
      google = credentials.get();
    } catch (IOException e) {
      throw new AuthException(
          "No Google credentials for " + registry + ": " + e.getMessage(),
          "Run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS to a"
              + " service account key file.",
          e);
    }
    try {
      if (google.createScopedRequired()) {
        google = google.createScoped(SCOPES);
      }
      google.refreshIfExpired();
      AccessToken token = google.getAccessToken();
      if (token == null) {
        token = google.refreshAccessToken();
      }
      return new RegistryCredential(USER, token.getTokenValue());
    } catch (IOException e) {
      throw new AuthException(
          "Google refused to give an access token for " + registry + ": " + e.getMessage(),
          "Log in again (gcloud auth application-default login) and check that the account may"
              + " write to the repository (roles/artifactregistry.writer).",
          e);
    }
  }
}
