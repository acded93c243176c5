package dev.tune.container.image;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.concurrent.TimeUnit;

/**
 * The git commit that tune's own code was built from, for the image's labels. tune runs from its
 * checkout ({@code ./tune} builds and starts {@code cli/target/tune.jar}), so the commit is that
 * checkout's {@code HEAD}; anywhere else it is {@code unknown}.
 */
public final class SourceCommit {
  private SourceCommit() {}

  /** The commit of the checkout that holds {@code type}'s jar or class folder, or unknown. */
  public static String of(Class<?> type) {
    try {
      CodeSource source = type.getProtectionDomain().getCodeSource();
      if (source == null) {
        return "unknown";
      }
      Path location = Path.of(source.getLocation().toURI());
      Path dir = Files.isDirectory(location) ? location : location.getParent();
      Process git =
          new ProcessBuilder("git", "-C", dir.toString(), "rev-parse", "HEAD")
              .redirectErrorStream(true)
              .start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!git.waitFor(10, TimeUnit.SECONDS) || git.exitValue() != 0) {
        return "unknown";
      }
      return out.matches("[0-9a-f]{40}") ? out : "unknown";
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return "unknown"; // no git, or not a checkout: the label says so
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
