package dev.tune.container.train;

import dev.tune.core.error.TuneException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Why a run failed, in the words the platform shows the user: the kind, what went wrong and what to
 * do ({@link TuneException}), else the error's type and message.
 *
 * @param text one paragraph; SageMaker shows the first 1024 characters as FailureReason
 * @param exitCode the {@link dev.tune.core.error.ErrorKind} exit code, 1 for unexpected errors
 */
record FailureReason(String text, int exitCode) {
  static FailureReason of(Throwable error) {
    if (error instanceof TuneException t) {
      return new FailureReason(
          t.kind().id() + ": " + t.getMessage() + " Fix: " + t.fix(), t.exitCode());
    }
    Throwable root = error;
    while (root.getCause() != null
        && (root instanceof UncheckedIOException || root.getMessage() == null)) {
      root = root.getCause();
    }
    String message = error.getMessage() == null ? "" : ": " + error.getMessage();
    String cause =
        root == error
            ? ""
            : " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    return new FailureReason("internal: " + error.getClass().getSimpleName() + message + cause, 1);
  }

  /** Writes the reason to {@code file}; a failure to write it must not hide the reason itself. */
  void writeTo(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("cannot write the failure reason to " + file + ": " + e.getMessage());
    }
  }
}
