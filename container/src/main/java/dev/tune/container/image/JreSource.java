package dev.tune.container.image;

import dev.tune.core.error.BadInputException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/** Where the image's Linux x64 Java runtime comes from. */
public sealed interface JreSource {
  /**
   * Eclipse Temurin 21.0.8+9 JRE for Linux x64, with the checksum Adoptium publishes for it (the
   * same pair the official {@code eclipse-temurin} images pin).
   */
  Download TEMURIN_21 =
      new Download(
          URI.create(
              "https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.8%2B9/"
                  + "OpenJDK21U-jre_x64_linux_hotspot_21.0.8_9.tar.gz"),
          "968c283e104059dae86ea1d670672a80170f27a39529d815843ec9c1f0fa2a03");

  /**
   * A {@code .tar.gz} fetched once over HTTP(S), checked against {@code sha256} and kept in the
   * cache.
   */
  record Download(URI url, String sha256) implements JreSource {
    public Download {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(sha256, "sha256");
      sha256 = sha256.toLowerCase(Locale.ROOT);
      if (sha256.length() != 64 || !sha256.chars().allMatch(HexFormat::isHexDigit)) {
        throw new BadInputException(
            "Not a SHA-256 checksum: '" + sha256 + "' (for the JRE at " + url + ").",
            "Give the 64 hex digits that the JRE's publisher lists beside the download.");
      }
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http")) {
        throw new BadInputException(
            "A JRE download must be an http(s) URL, not " + url + ".",
            "Give an https:// URL with its checksum, or a local JRE directory or .tar.gz.");
      }
    }
  }

  /** A JRE already on this machine: its home directory, or a {@code .tar.gz} of one. */
  record Local(Path path) implements JreSource {
    public Local {
      Objects.requireNonNull(path, "path");
    }
  }
}
