package dev.tune.local.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildJavaTest {
  @Test
  void relativeClassPathEntriesBecomeAbsoluteBecauseChildrenRunInTheirJobDirectory() {
    String classPath = String.join(File.pathSeparator, "cli/target/tune.jar", "/opt/lib/a.jar", "");

    assertThat(ChildJava.absolute(classPath).split(File.pathSeparator))
        .containsExactly(
            Path.of("cli/target/tune.jar").toAbsolutePath().toString(), "/opt/lib/a.jar");
  }

  @Test
  void theCommandRunsTheMainClassWithTheDefaultOptions() {
    ChildJava java = new ChildJava(Path.of("/jdk/bin/java"), "/a.jar", ChildJava.DEFAULT_OPTIONS);

    assertThat(java.command("x.Main", List.of("train", "--job-dir", "/d")))
        .containsExactly(
            "/jdk/bin/java",
            "-Dai.djl.offline=true",
            "--enable-native-access=ALL-UNNAMED",
            "-Xss4m",
            "-cp",
            "/a.jar",
            "x.Main",
            "train",
            "--job-dir",
            "/d");
  }
}
