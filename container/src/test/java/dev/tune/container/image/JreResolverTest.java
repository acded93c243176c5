package dev.tune.container.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JreResolverTest {
  @TempDir Path dir;
  private HttpServer server;
  private final AtomicInteger downloads = new AtomicInteger();
  private Path archive;

  @BeforeEach
  void serveAJreArchive() throws IOException {
    Path home = Fixtures.jreHome(dir.resolve("src/jdk-21.0.8+9-jre"), "21.0.8", "Linux", "x86_64");
    archive = tarGz(home.getParent(), dir.resolve("jre.tar.gz"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jre.tar.gz",
        exchange -> {
          downloads.incrementAndGet();
          exchange.sendResponseHeaders(200, Files.size(archive));
          try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(archive, out);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void downloadsOnceVerifiesAndUnpacksKeepingTheLauncherExecutable() throws IOException {
    JreResolver resolver = new JreResolver(dir.resolve("cache"));
    JreSource source = new JreSource.Download(url("/jre.tar.gz"), JreResolver.sha256(archive));

    Jre first = resolver.resolve(source);
    Jre second = new JreResolver(dir.resolve("cache")).resolve(source);

    assertThat(downloads).hasValue(1);
    assertThat(second.home()).isEqualTo(first.home());
    assertThat(first.version()).isEqualTo("21.0.8");
    assertThat(first.home().getFileName().toString()).isEqualTo("jdk-21.0.8+9-jre");
    assertThat(first.home()).startsWith(dir.resolve("cache/jre"));
    assertThat(Files.getPosixFilePermissions(first.home().resolve("bin/java")))
        .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
  }

  @Test
  void aWrongChecksumIsRefusedAndNothingIsCached() throws IOException {
    String wrong = "0".repeat(64);
    JreResolver resolver = new JreResolver(dir.resolve("cache"));

    assertThatThrownBy(() -> resolver.resolve(new JreSource.Download(url("/jre.tar.gz"), wrong)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(JreResolver.sha256(archive))
        .hasMessageContaining(wrong);
    try (Stream<Path> cached = Files.list(dir.resolve("cache/jre"))) {
      assertThat(cached).isEmpty();
    }
  }

  @Test
  void aMissingDownloadIsNotFound() {
    JreSource source = new JreSource.Download(url("/nothing.tar.gz"), "a".repeat(64));
    assertThatThrownBy(() -> new JreResolver(dir.resolve("cache")).resolve(source))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("404");
  }

  @Test
  void aChecksumMustBeSha256Hex() {
    assertThatThrownBy(() -> new JreSource.Download(url("/jre.tar.gz"), "abc"))
        .isInstanceOf(BadInputException.class);
  }

  @Test
  void takesALocalArchiveOrDirectory() {
    JreResolver resolver = new JreResolver(dir.resolve("cache"));
    assertThat(resolver.resolve(new JreSource.Local(archive)).version()).isEqualTo("21.0.8");
    Path home = dir.resolve("src/jdk-21.0.8+9-jre");
    assertThat(resolver.resolve(new JreSource.Local(home)).home()).isEqualTo(home);
  }

  @Test
  void refusesAnOldOrForeignJava() throws IOException {
    JreResolver resolver = new JreResolver(dir.resolve("cache"));
    Path java17 = Fixtures.jreHome(dir.resolve("j17"), "17.0.2", "Linux", "x86_64");
    Path mac = Fixtures.jreHome(dir.resolve("mac"), "21.0.8", "Darwin", "aarch64");
    Path empty = Files.createDirectories(dir.resolve("empty"));

    assertThatThrownBy(() -> resolver.resolve(new JreSource.Local(java17)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Java 17.0.2");
    assertThatThrownBy(() -> resolver.resolve(new JreSource.Local(mac)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Darwin aarch64");
    assertThatThrownBy(() -> resolver.resolve(new JreSource.Local(empty)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("no bin/java");
    assertThatThrownBy(() -> resolver.resolve(new JreSource.Local(dir.resolve("none"))))
        .isInstanceOf(NotFoundException.class);
  }

  private static Path tarGz(Path root, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out));
        Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted().toList()) {
        if (path.equals(root)) {
          continue;
        }
        TarArchiveEntry entry = new TarArchiveEntry(path, root.relativize(path).toString());
        // As the JRE tarballs do: launchers 755, everything else 644 (dirs 755).
        boolean executable = Files.isDirectory(path) || Files.isExecutable(path);
        entry.setMode((Files.isDirectory(path) ? 040000 : 0100000) | (executable ? 0755 : 0644));
        tar.putArchiveEntry(entry);
        if (Files.isRegularFile(path)) {
          Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
      }
    }
    return file;
  }
}
