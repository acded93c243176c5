package dev.tune.core.artifact;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A file or directory on the local file system.
 *
 * @param path absolute and normalized
 */
public record FileUri(Path path) implements ArtifactUri {
  public FileUri {
    Objects.requireNonNull(path, "path");
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException("a FileUri needs an absolute path, got " + path);
    }
    path = path.normalize();
  }

  /** Makes a URI for {@code path}, resolved against the working directory if relative. */
  public static FileUri of(Path path) {
    return new FileUri(path.toAbsolutePath());
  }

  static FileUri parseAfterScheme(String text, String rest, Path baseDir) {
    if (rest.startsWith("localhost/")) {
      rest = rest.substring("localhost".length());
    }
    // file://./data and file://data are not RFC 8089, but people write them meaning a relative
    // path; reading them that way is kinder than reading "data" as a host name.
    return ofPath(text, rest, baseDir);
  }

  static FileUri ofPath(String text, String pathText, Path baseDir) {
    if (pathText.isEmpty()) {
      throw new InvalidArtifactUriException(text, "the path is empty");
    }
    if (pathText.indexOf('\0') >= 0) {
      throw new InvalidArtifactUriException(text, "the path contains a NUL character");
    }
    try {
      Path path;
      if (pathText.equals("~") || pathText.startsWith("~/")) {
        path =
            Path.of(System.getProperty("user.home"))
                .resolve(pathText.substring(1).replaceFirst("^/", ""));
      } else {
        path = baseDir.resolve(pathText);
      }
      return new FileUri(path.toAbsolutePath());
    } catch (InvalidPathException e) {
      throw new InvalidArtifactUriException(text, "the path is invalid: " + e.getReason());
    }
  }

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public FileUri resolve(String relative) {
    String tail = relative.replaceAll("^/+", "");
    return tail.isEmpty() ? this : new FileUri(path.resolve(tail));
  }

  @Override
  public String toString() {
    return "file://" + path;
  }
}
