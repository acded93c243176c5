package dev.tune.container.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppClasspathTest {
  @TempDir Path dir;

  @Test
  void followsManifestClassPathAndLeavesOutTheCpuLibtorch() throws Exception {
    Path lib = dir.resolve("lib");
    Path core = Fixtures.jar(lib.resolve("tune-core-0.1.jar"), "dev.tune", "tune-core", Map.of());
    Path jackson =
        Fixtures.jar(lib.resolve("jackson-core-2.20.jar"), "com.fasterxml", "jackson", Map.of());
    Fixtures.jar(
        lib.resolve("pytorch-native-cpu-2.7.1-linux-x86_64.jar"),
        "ai.djl.pytorch",
        "pytorch-native-cpu",
        Map.of());
    Path withSpace =
        Fixtures.jar(dir.resolve("odd dir/extra.jar"), "org.example", "extra", Map.of());
    Path cli =
        Fixtures.jar(
            dir.resolve("tune.jar"),
            "dev.tune",
            "tune-cli",
            Map.of(),
            "lib/tune-core-0.1.jar lib/jackson-core-2.20.jar"
                + " lib/pytorch-native-cpu-2.7.1-linux-x86_64.jar lib/missing.jar "
                + withSpace.toUri());
    Path classes = Files.createDirectories(dir.resolve("target/classes"));

    List<Path> classpath = AppClasspath.of(List.of(cli, classes, jackson));

    assertThat(classpath).containsExactly(cli, core, jackson, withSpace, classes);
  }

  @Test
  void tellsProjectEntriesFromDependencies() throws Exception {
    Path ours = Fixtures.jar(dir.resolve("a.jar"), "dev.tune", "tune-core", Map.of());
    Path theirs = Fixtures.jar(dir.resolve("tune-lookalike.jar"), "org.other", "x", Map.of());
    Path unstampedOurs = Fixtures.jar(dir.resolve("tune-dev.jar"), null, null, Map.of());
    Path unstampedTheirs = Fixtures.jar(dir.resolve("other.jar"), null, null, Map.of());

    assertThat(ClasspathEntryKind.of(ours)).isEqualTo(ClasspathEntryKind.PROJECT);
    assertThat(ClasspathEntryKind.of(theirs)).isEqualTo(ClasspathEntryKind.DEPENDENCY);
    assertThat(ClasspathEntryKind.of(unstampedOurs)).isEqualTo(ClasspathEntryKind.PROJECT);
    assertThat(ClasspathEntryKind.of(unstampedTheirs)).isEqualTo(ClasspathEntryKind.DEPENDENCY);
    assertThat(ClasspathEntryKind.of(dir)).isEqualTo(ClasspathEntryKind.PROJECT);
  }
}
