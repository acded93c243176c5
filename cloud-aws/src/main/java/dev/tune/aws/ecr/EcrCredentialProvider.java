package dev.tune.aws.ecr;

import dev.tune.core.error.AuthException;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.image.RegistryCredential;
import dev.tune.core.image.RegistryCredentialProvider;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenResponse;
import software.amazon.awssdk.services.ecr.model.RepositoryAlreadyExistsException;

/**
 * Registry credentials for Amazon ECR: a 12-hour token from {@code GetAuthorizationToken}, signed
 * with the default AWS credentials chain (environment, profile, SSO, instance role). Also creates
 * repositories ({@code CreateRepository}) for {@code tune package --create-repository}.
 */
public final class EcrCredentialProvider implements RegistryCredentialProvider {
  private final Function<Region, EcrClient> clients;

  /** For {@link java.util.ServiceLoader}: clients with the default AWS configuration. */
  public EcrCredentialProvider() {
    this(region -> EcrClient.builder().region(region).build());
  }

  /**
   * @param clients makes the ECR client for a region; called once per call, and closed after
   */
  public EcrCredentialProvider(Function<Region, EcrClient> clients) {
    this.clients = clients;
  }

  @Override
  public String name() {
    return "Amazon ECR";
  }

  @Override
  public boolean serves(String registry) {
    return EcrRegistry.parse(registry).isPresent();
  }

  @Override
  public RegistryCredential credential(String registry) {
    EcrRegistry ecr = parse(registry);
    try (EcrClient ecrClient = clients.apply(Region.of(ecr.region()))) {
      GetAuthorizationTokenResponse response =
          // The token (registryIds is deprecated) opens every registry the credentials may use.
          ecrClient.getAuthorizationToken();
      if (response.authorizationData().isEmpty()) {
        throw new AuthException(
            "Amazon ECR gave no authorization token for " + registry + ".",
            "Check that the AWS credentials may call ecr:GetAuthorizationToken.");
      }
      AuthorizationData data = response.authorizationData().get(0);
      String decoded =
          new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new RemoteFailureException(
            "Amazon ECR returned a token that is not USER:PASSWORD for " + registry + ".",
            "Try again; if it persists, log in with aws ecr get-login-password | docker login.");
      }
      return new RegistryCredential(decoded.substring(0, colon), decoded.substring(colon + 1));
    } catch (SdkException e) {
      throw failure(e, registry, "get a registry token from");
    }
  }

  @Override
  public boolean createRepository(String registry, String repository) {
    EcrRegistry ecr = parse(registry);
    try (EcrClient ecrClient = clients.apply(Region.of(ecr.region()))) {
      ecrClient.createRepository(r -> r.registryId(ecr.accountId()).repositoryName(repository));
      return true;
    } catch (RepositoryAlreadyExistsException e) {
      return false;
    } catch (SdkException e) {
      throw failure(e, registry, "create the repository " + repository + " in");
    }
  }

  private static EcrRegistry parse(String registry) {
    return EcrRegistry.parse(registry)
        .orElseThrow(
            () ->
                new BadInputException(
                    registry + " is not an Amazon ECR registry.",
                    "Write it as ACCOUNT.dkr.ecr.REGION.amazonaws.com."));
  }

  private static RuntimeException failure(SdkException e, String registry, String action) {
    if (e instanceof EcrException ecr) {
      int status = ecr.statusCode();
      String code = ecr.awsErrorDetails() == null ? "" : ecr.awsErrorDetails().errorCode();
      if (status == 401
          || status == 403
          || code.contains("AccessDenied")
          || code.contains("UnrecognizedClient")
          || code.contains("InvalidSignature")
          || code.contains("ExpiredToken")) {
        return new AuthException(
            "AWS refused to let tune " + action + " " + registry + " (" + code + ").",
            "Check the AWS credentials (aws sts get-caller-identity) and that they may call"
                + " ecr:GetAuthorizationToken"
                + (action.startsWith("create") ? " and ecr:CreateRepository." : "."),
            e);
      }
      return new RemoteFailureException(
          "Amazon ECR failed to " + action + " " + registry + ": " + code + " " + e.getMessage(),
          "Try again later; check the AWS status page if it persists.",
          e);
    }
    if (e instanceof SdkClientException
        && e.getMessage() != null
        && e.getMessage().contains("credentials")) {
      return new AuthException(
          "No AWS credentials to " + action + " " + registry + ".",
          "Configure them (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY).",
          e);
    }
    return new RemoteFailureException(
        "Cannot reach Amazon ECR to " + action + " " + registry + ": " + e.getMessage(),
        "Check the network and the region in the registry's host name.",
        e);
  }
}
