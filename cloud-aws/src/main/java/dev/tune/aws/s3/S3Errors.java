package dev.tune.aws.s3;

import dev.tune.core.artifact.S3Uri;
import dev.tune.core.error.AuthException;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.QuotaException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneException;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Says what an S3 failure means for the user, naming the {@code s3://} location and the fix. The
 * SDK has already retried what is worth retrying (throttling, 5xx, broken connections) by the time
 * an exception gets here.
 *
 * @param endpoint the endpoint override, when one is set: a failure may then be the other store's
 */
record S3Errors(Optional<String> endpoint) {
  /** How to give tune credentials, for every failure that lacks them. */
  static final String CONFIGURE_CREDENTIALS =
      "Configure AWS credentials: run 'aws configure' (or 'aws sso login' and set AWS_PROFILE),"
          + " or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; on EC2, ECS or SageMaker attach"
          + " an IAM role that may use the bucket.";

  /**
   * The failure to raise for {@code e}, raised while {@code doing} (e.g. {@code reading}) {@code
   * uri}.
   */
  TuneException map(SdkException e, String doing, S3Uri uri) {
    if (e instanceof AwsServiceException service) {
      return service(service, doing, uri);
    }
    if (e instanceof SdkClientException) {
      return new RemoteFailureException(
          "Could not reach "
              + where()
              + " while "
              + doing
              + " "
              + uri
              + attempts(e)
              + ": "
              + e.getMessage(),
          endpoint.isPresent()
              ? "Check that the store at " + endpoint.get() + " is up (AWS_ENDPOINT_URL_S3)."
              : "Check the network connection and the region (AWS_REGION), then try again.",
          e);
    }
    return new RemoteFailureException(
        "S3 failed while " + doing + " " + uri + ": " + e.getMessage(), "Try again later.", e);
  }

  /** No credentials could be found at all. */
  AuthException noCredentials(SdkException e, S3Uri uri) {
    return new AuthException(
        "No AWS credentials were found to access " + uri + ": " + e.getMessage(),
        CONFIGURE_CREDENTIALS,
        e);
  }

  private TuneException service(AwsServiceException e, String doing, S3Uri uri) {
    String code = e.awsErrorDetails() == null ? "" : nullToEmpty(e.awsErrorDetails().errorCode());
    int status = e.statusCode();
    String said = " (HTTP " + status + (code.isEmpty() ? "" : " " + code) + attempts(e) + ")";
    String bucket = "s3://" + uri.bucket();
    return switch (code) {
      case "NoSuchBucket" ->
          new NotFoundException(
              "There is no bucket " + bucket + " while " + doing + " " + uri + said + ".",
              "Check the bucket name"
                  + (endpoint.isPresent() ? " on " + endpoint.get() : "")
                  + "; 'aws s3 ls' lists the buckets you can see.",
              e);
      case "NoSuchKey" -> nothingAt(uri, doing, said, e);
      case "AccessDenied", "AllAccessDisabled", "AccountProblem" ->
          new AuthException(
              where() + " refused access while " + doing + " " + uri + said + ".",
              "Use credentials whose IAM policy allows s3:GetObject, s3:ListBucket and, to"
                  + " upload, s3:PutObject on "
                  + bucket
                  + " ('aws sts get-caller-identity' shows whose credentials are in use).",
              e);
      case "InvalidAccessKeyId" ->
          new AuthException(
              where()
                  + " does not know the access key in use while "
                  + doing
                  + " "
                  + uri
                  + said
                  + ".",
              "The access key id is wrong or deleted. " + CONFIGURE_CREDENTIALS,
              e);
      case "SignatureDoesNotMatch" ->
          new AuthException(
              where() + " rejected the request signature while " + doing + " " + uri + said + ".",
              "The secret access key does not belong to the access key id in use; set the pair"
                  + " again ('aws configure') or fix AWS_SECRET_ACCESS_KEY.",
              e);
      case "ExpiredToken", "TokenRefreshRequired", "InvalidToken", "RequestTimeTooSkewed" ->
          new AuthException(
              where() + " rejected the credentials while " + doing + " " + uri + said + ".",
              "The session has expired or the clock is wrong: log in again ('aws sso login') or"
                  + " refresh the session token, and check the system time.",
              e);
      case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded" ->
          new QuotaException(
              where() + " kept throttling requests while " + doing + " " + uri + said + ".",
              "Wait a few minutes and try again, or fetch with fewer files at once.",
              e);
      case "PreconditionFailed" ->
          new RemoteFailureException(
              uri + " changed while it was being read" + said + ".",
              "Fetch again once nothing writes to it any more.",
              e);
      default -> byStatus(e, status, doing, uri, said);
    };
  }

  private TuneException byStatus(
      AwsServiceException e, int status, String doing, S3Uri uri, String said) {
    if (status == 404) {
      return nothingAt(uri, doing, said, e);
    }
    if (status == 401 || status == 403) {
      return new AuthException(
          where() + " refused access while " + doing + " " + uri + said + ".",
          "Use credentials that may read and write " + uri + ". " + CONFIGURE_CREDENTIALS,
          e);
    }
    if (status == 429) {
      return new QuotaException(
          where() + " kept throttling requests while " + doing + " " + uri + said + ".",
          "Wait a few minutes and try again.",
          e);
    }
    if (status >= 500) {
      return new RemoteFailureException(
          where() + " failed while " + doing + " " + uri + said + serverMessage(e) + ".",
          "Try again later; see https://health.aws.amazon.com for outages.",
          e);
    }
    return new BadInputException(
        where()
            + " rejected the request while "
            + doing
            + " "
            + uri
            + said
            + serverMessage(e)
            + ".",
        "Check the bucket, the key and the region of " + uri + ".",
        e);
  }

  private NotFoundException nothingAt(S3Uri uri, String doing, String said, Throwable e) {
    return new NotFoundException(
        "Nothing at " + uri + " while " + doing + " it" + said + ".",
        "Check the key; keys are case-sensitive ('aws s3 ls " + uri + "' lists what is there).",
        e);
  }

  private String where() {
    return endpoint.map(url -> "The S3 endpoint " + url).orElse("S3");
  }

  private static String serverMessage(AwsServiceException e) {
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    return message == null || message.isBlank() ? "" : ": " + message;
  }

  private static String attempts(SdkException e) {
    Integer attempts = e.numAttempts();
    return attempts != null && attempts > 1 ? ", " + attempts + " attempts" : "";
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
