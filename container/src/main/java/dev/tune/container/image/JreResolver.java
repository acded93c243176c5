package dev.tune.container.image;

import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.storage.LocalTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Turns a {@link JreSource} into a JRE directory on this machine. Downloads are verified against
 * their SHA-256 and unpacked once into {@code CACHE/jre/<sha256>/}, so the second build reads the
 * cache and moves no bytes.
 */
public final class JreResolver {
  private static final int MIN_FEATURE = 21;

  private final Path cacheDir;
  private final HttpClient http;

  /**
   * @param cacheDir tune's cache directory; JREs go below {@code jre/}
   */
  public JreResolver(Path cacheDir) {
    this.cacheDir = cacheDir;
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
  }

  /** The JRE of {@code source}, downloaded or unpacked if needed, and checked. */
  public Jre resolve(JreSource source) {
    try {
      Path home =
          switch (source) {
            case JreSource.Download d -> cached(d);
            case JreSource.Local l -> local(l.path());
          };
      return check(home, source);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the JRE from " + describe(source), e);
    }
  }

  private Path local(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return path;
    }
    if (!Files.isRegularFile(path)) {
      throw new NotFoundException(
          "No JRE at " + path + ".",
          "Give a JRE home directory (with bin/java), a .tar.gz of one, or an https URL.");
    }
    return unpackOnce(path, sha256(path));
  }

  private Path cached(JreSource.Download download) throws IOException {
    Path unpacked = cacheDir.resolve("jre").resolve(download.sha256());
    if (Files.isRegularFile(unpacked.resolve(".complete"))) {
      return home(unpacked);
    }
    Files.createDirectories(cacheDir.resolve("jre"));
    Path archive = Files.createTempFile(cacheDir.resolve("jre"), "download-", ".tar.gz");
    try {
      String actual = download(download.url(), archive);
      if (!actual.equals(download.sha256())) {
        throw new BadInputException(
            "The JRE downloaded from "
                + download.url()
                + " has SHA-256 "
                + actual
                + ", not the expected "
                + download.sha256()
                + ".",
            "Check the URL and the checksum; if the publisher replaced the file, give its new"
                + " checksum.");
      }
      return unpackOnce(archive, actual);
    } finally {
      Files.deleteIfExists(archive);
    }
  }

  private String download(URI url, Path archive) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(url).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException
        | UnknownHostException
        | java.net.http.HttpConnectTimeoutException e) {
      throw new RemoteFailureException(
          "Cannot reach " + url.getHost() + " to download the JRE: " + e + ".",
          "Check the network, or pass a local JRE with --jre PATH.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteFailureException(
          "Interrupted while downloading the JRE from " + url + ".", "Run it again.", e);
    }
    try (InputStream body = response.body()) {
      if (response.statusCode() == 404) {
        throw new NotFoundException(
            "No JRE at " + url + " (HTTP 404).",
            "Check the URL, or pass a local JRE with --jre PATH.");
      }
      if (response.statusCode() / 100 != 2) {
        throw new RemoteFailureException(
            "Downloading the JRE from " + url + " failed with HTTP " + response.statusCode() + ".",
            "Try again later, or pass a local JRE with --jre PATH.");
      }
      MessageDigest digest = sha256Digest();
      try (DigestInputStream in = new DigestInputStream(body, digest)) {
        Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /** Unpacks {@code archive} to {@code CACHE/jre/<sha256>/} unless a finished copy is there. */
  private Path unpackOnce(Path archive, String sha256) throws IOException {
    Path jreCache = cacheDir.resolve("jre");
    Path unpacked = jreCache.resolve(sha256);
    if (Files.isRegularFile(unpacked.resolve(".complete"))) {
      return home(unpacked);
    }
    Files.createDirectories(jreCache);
    Path staging = Files.createTempDirectory(jreCache, "unpack-");
    try {
      TarGzExtractor.extract(archive, staging);
      Files.writeString(staging.resolve(".complete"), sha256 + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(staging, unpacked, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        // Another build unpacked the same archive first; theirs is as good as ours.
        if (!Files.isRegularFile(unpacked.resolve(".complete"))) {
          throw e;
        }
      }
    } finally {
      LocalTree.delete(staging);
    }
    return home(unpacked);
  }

  /** The JRE home inside an unpacked archive: the archive's single top directory, or itself. */
  private static Path home(Path unpacked) throws IOException {
    if (Files.isRegularFile(unpacked.resolve("bin/java"))) {
      return unpacked;
    }
    try (Stream<Path> children = Files.list(unpacked)) {
      List<Path> dirs = children.filter(Files::isDirectory).toList();
      if (dirs.size() == 1) {
        return dirs.get(0);
      }
    }
    return unpacked;
  }

  private static Jre check(Path home, JreSource source) throws IOException {
    if (!Files.isRegularFile(home.resolve("bin/java"))) {
      throw new BadInputException(
          describe(source) + " is not a Java runtime: " + home + " has no bin/java.",
          "Give a Linux x64 JRE 21 or newer: its home directory, a .tar.gz of it, or its URL.");
    }
    Path releaseFile = home.resolve("release");
    if (!Files.isRegularFile(releaseFile)) {
      return new Jre(home, "unknown");
    }
    Properties release = new Properties();
    try (InputStream in = Files.newInputStream(releaseFile)) {
      release.load(in);
    }
    String version = unquote(release.getProperty("JAVA_VERSION", "unknown"));
    String os = unquote(release.getProperty("OS_NAME", "Linux"));
    String arch = unquote(release.getProperty("OS_ARCH", "x86_64"));
    if (!os.equalsIgnoreCase("linux") || !(arch.equals("x86_64") || arch.equals("amd64"))) {
      throw new BadInputException(
          describe(source) + " is a JRE for " + os + " " + arch + ", not Linux x86_64.",
          "The image runs on Linux x64: give a Linux x64 JRE (the default Temurin 21 is one).");
    }
    if (feature(version) < MIN_FEATURE) {
      throw new BadInputException(
          describe(source) + " is Java " + version + "; tune needs Java 21 or newer.",
          "Give a JRE 21 or newer (the default Temurin 21 is one).");
    }
    return new Jre(home, version);
  }

  private static int feature(String version) {
    String digits = version.split("[^0-9]", 2)[0];
    if (digits.isEmpty()) {
      return MIN_FEATURE; // an unreadable version is not a reason to refuse
    }
    return Integer.parseInt(digits);
  }

  private static String unquote(String value) {
    String v = value.trim();
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1)
        : v;
  }

  private static String describe(JreSource source) {
    return switch (source) {
      case JreSource.Download d -> "the JRE from " + d.url();
      case JreSource.Local l -> "the JRE at " + l.path();
    };
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256Digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest()).toLowerCase(Locale.ROOT);
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }
}
