package dev.tune.aws.ecr;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.tune.core.error.AuthException;
import dev.tune.core.image.RegistryCredential;
import dev.tune.core.image.RegistryCredentialProviders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ecr.EcrClient;

/** The ECR token and repository calls against an HTTP server that answers as ECR's API does. */
class EcrCredentialProviderTest {
  private static final String TARGET = "AmazonEC2ContainerRegistry_V20150921.";
  private static final String REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

  private WireMockServer ecr;
  private EcrCredentialProvider provider;

  @BeforeEach
  void start() {
    ecr =
        new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    ecr.start();
    provider =
        new EcrCredentialProvider(
            region ->
                EcrClient.builder()
                    .region(region)
                    .endpointOverride(URI.create(ecr.baseUrl()))
                    .credentialsProvider(
                        StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("AKIDEXAMPLE", "not-a-secret")))
                    .build());
  }

  @AfterEach
  void stop() {
    ecr.stop();
  }

  @Test
  void servesOnlyEcrHosts() {
    assertThat(provider.serves(REGISTRY)).isTrue();
    assertThat(provider.serves("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com")).isTrue();
    assertThat(provider.serves("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")).isTrue();
    assertThat(provider.serves("europe-west4-docker.pkg.dev")).isFalse();
    assertThat(provider.serves("public.ecr.aws")).isFalse();
    assertThat(provider.serves("localhost:5000")).isFalse();
  }

  @Test
  void isFoundByServiceLoaderForEcrHosts() {
    assertThat(RegistryCredentialProviders.installed().forRegistry(REGISTRY))
        .get()
        .isInstanceOf(EcrCredentialProvider.class);
  }

  @Test
  void decodesTheAuthorizationTokenSignedForTheRegistryRegion() {
    String token =
        Base64.getEncoder().encodeToString("AWS:pass:with:colons".getBytes(StandardCharsets.UTF_8));
    ecr.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(TARGET + "GetAuthorizationToken"))
            .willReturn(
                okJson(
                    """
                    {"authorizationData":[{"authorizationToken":"%s","expiresAt":1.7E9,
                     "proxyEndpoint":"https://%s"}]}
                    """
                        .formatted(token, REGISTRY))));

    RegistryCredential credential = provider.credential(REGISTRY);

    assertThat(credential.username()).isEqualTo("AWS");
    assertThat(credential.password()).isEqualTo("pass:with:colons");
    assertThat(credential.toString()).doesNotContain("pass:with:colons");
    ecr.verify(
        postRequestedFor(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(TARGET + "GetAuthorizationToken"))
            .withHeader(
                "Authorization",
                com.github.tomakehurst.wiremock.client.WireMock.containing("eu-west-1/ecr")));
  }

  @Test
  void aRefusedTokenIsAnAuthError() {
    ecr.stubFor(
        post(urlEqualTo("/"))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(
                        "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized\"}")));

    assertThatThrownBy(() -> provider.credential(REGISTRY))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("AccessDenied")
        .hasMessageContaining(REGISTRY);
  }

  @Test
  void createsARepositoryAndToleratesOneThatExists() {
    ecr.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(TARGET + "CreateRepository"))
            .withRequestBody(matchingJsonPath("$.repositoryName", equalTo("tune/new")))
            .willReturn(
                okJson(
                    "{\"repository\":{\"repositoryName\":\"tune/new\",\"registryId\":"
                        + "\"123456789012\"}}")));
    ecr.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(TARGET + "CreateRepository"))
            .withRequestBody(matchingJsonPath("$.repositoryName", equalTo("tune/old")))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(
                        "{\"__type\":\"RepositoryAlreadyExistsException\",\"message\":\"exists\"}")));

    assertThat(provider.createRepository(REGISTRY, "tune/new")).isTrue();
    assertThat(provider.createRepository(REGISTRY, "tune/old")).isFalse();
    ecr.verify(
        postRequestedFor(urlEqualTo("/"))
            .withRequestBody(matchingJsonPath("$.registryId", equalTo("123456789012"))));
  }
}
