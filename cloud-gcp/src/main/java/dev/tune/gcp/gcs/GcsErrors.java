package dev.tune.gcp.gcs;

import com.google.cloud.storage.StorageException;
import dev.tune.core.artifact.GcsUri;
import dev.tune.core.error.AuthException;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.QuotaException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneException;

/**
 * Says what a Cloud Storage failure means for the user, naming the {@code gs://} location and the
 * fix. The client has already retried 408, 429 and 5xx answers of idempotent requests by the time
 * an exception gets here.
 *
 * @param attempts how many tries the client makes, for the message of a failure that outlived them
 */
record GcsErrors(int attempts) {
  /** How to give tune credentials. */
  static final String CONFIGURE_CREDENTIALS =
      "Run 'gcloud auth application-default login', or set GOOGLE_APPLICATION_CREDENTIALS to a"
          + " service account key file; on Vertex AI or GCE the attached service account is used.";

  /**
   * The failure to raise for {@code e}, raised while {@code doing} (e.g. {@code reading}) {@code
   * uri}.
   */
  TuneException map(StorageException e, String doing, GcsUri uri) {
    int code = e.getCode();
    String reason = e.getReason() == null ? "" : " " + e.getReason();
    String said = " (HTTP " + code + reason + ": " + firstLine(e.getMessage()) + ")";
    return switch (code) {
      case 404 ->
          new NotFoundException(
              "Nothing at " + uri + " while " + doing + " it" + said + ".",
              "Check the bucket and object name; names are case-sensitive ('gcloud storage ls "
                  + uri
                  + "' lists what is there).",
              e);
      case 401 ->
          new AuthException(
              "Cloud Storage did not accept the credentials while "
                  + doing
                  + " "
                  + uri
                  + said
                  + ".",
              "The credentials are missing or expired. " + CONFIGURE_CREDENTIALS,
              e);
      case 403 ->
          new AuthException(
              "Cloud Storage refused access while " + doing + " " + uri + said + ".",
              "Give the account in use (see 'gcloud auth list', or the service account) the"
                  + " Storage Object Viewer role on gs://"
                  + uri.bucket()
                  + " (Storage Object User to upload), or log in with another:"
                  + " 'gcloud auth application-default login'.",
              e);
      case 429 ->
          new QuotaException(
              "Cloud Storage kept rate-limiting requests while "
                  + doing
                  + " "
                  + uri
                  + said
                  + ", "
                  + attempts
                  + " attempts.",
              "Wait a few minutes and try again, or fetch with fewer files at once.",
              e);
      case 412 ->
          new RemoteFailureException(
              uri + " changed while it was being read" + said + ".",
              "Fetch again once nothing writes to it any more.",
              e);
      case 0 ->
          new RemoteFailureException(
              "Could not reach Cloud Storage while " + doing + " " + uri + said + ".",
              "Check the network connection and try again.",
              e);
      default ->
          code >= 500 || code == 408
              ? new RemoteFailureException(
                  "Cloud Storage failed while "
                      + doing
                      + " "
                      + uri
                      + said
                      + ", "
                      + attempts
                      + " attempts.",
                  "Try again later; see https://status.cloud.google.com for outages.",
                  e)
              : new BadInputException(
                  "Cloud Storage rejected the request while " + doing + " " + uri + said + ".",
                  "Check the bucket and object name of " + uri + ".",
                  e);
    };
  }

  /** No application default credentials could be found. */
  AuthException noCredentials(Exception e, GcsUri uri) {
    return new AuthException(
        "No Google Cloud credentials were found to access "
            + uri
            + ": "
            + firstLine(e.getMessage()),
        CONFIGURE_CREDENTIALS,
        e);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    line = newline < 0 ? line : line.substring(0, newline);
    return line.length() <= 300 ? line : line.substring(0, 300) + "...";
  }
}
