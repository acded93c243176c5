package dev.tune.core.artifact;

import dev.tune.core.error.BadInputException;

/** The text is not an artifact URI tune understands. */
public final class InvalidArtifactUriException extends BadInputException {
  /** The forms tune accepts, for messages and docs. */
  public static final String ACCEPTED_FORMS =
      "a path, file://PATH, s3://BUCKET/KEY, gs://BUCKET/OBJECT, hf://ORG/NAME@REVISION,"
          + " hf://datasets/ORG/NAME@REVISION or https://HOST/PATH";

  private final String text;
  private final String reason;

  public InvalidArtifactUriException(String text, String reason) {
    super("'" + text + "' is not a valid artifact URI: " + reason + ".", "Use " + ACCEPTED_FORMS);
    this.text = text;
    this.reason = reason;
  }

  /** The rejected text. */
  public String text() {
    return text;
  }

  /** Why it was rejected, e.g. {@code the bucket name must be 3 to 63 characters}. */
  public String reason() {
    return reason;
  }
}
