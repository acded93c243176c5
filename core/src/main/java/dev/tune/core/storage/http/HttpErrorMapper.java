package dev.tune.core.storage.http;

import dev.tune.core.error.AuthException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.QuotaException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneException;

/** Turns an unsuccessful HTTP answer into the exception the user sees. */
@FunctionalInterface
public interface HttpErrorMapper {
  TuneException toException(HttpProblem problem);

  /** The mapping for plain web servers, which explain nothing beyond the status. */
  static HttpErrorMapper plain() {
    return p -> {
      String status = "HTTP " + p.status() + p.serverMessageSuffix();
      String where = p.safeUri();
      return switch (p.status()) {
        case 401, 403 ->
            new AuthException(
                "Access denied " + p.what() + " (" + status + ") at " + where + ".",
                "Use a public URL, or a signed one that has not expired.");
        case 404, 410 ->
            new NotFoundException("Nothing at " + where + " (" + status + ").", "Check the URL.");
        case 429 ->
            new QuotaException(
                "The server kept refusing "
                    + p.what()
                    + " as too many requests ("
                    + status
                    + ") after "
                    + p.attempts()
                    + " attempts.",
                "Wait a few minutes and try again.");
        default ->
            new RemoteFailureException(
                "The server failed "
                    + p.what()
                    + " ("
                    + status
                    + ") at "
                    + where
                    + (p.attempts() > 1 ? " after " + p.attempts() + " attempts" : "")
                    + ".",
                p.status() >= 500
                    ? "Try again later; the server is having trouble."
                    : "Check the URL.");
      };
    };
  }
}
