package dev.tune.container.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.container.ContainerMain;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildJvmTest {
  @Test
  void relativeClassPathEntriesBecomeAbsoluteBecauseChildrenRunInTheirOwnDirectory() {
    String classPath = String.join(File.pathSeparator, "cli/target/tune.jar", "/opt/lib/a.jar", "");

    assertThat(ChildJvm.absolute(classPath).split(File.pathSeparator))
        .containsExactly(
            Path.of("cli/target/tune.jar").toAbsolutePath().toString(), "/opt/lib/a.jar");
  }

  @Test
  void theCommandRunsTheMainClassOfflineWithTheOptionsFirst() {
    ChildJvm jvm = new ChildJvm(Path.of("/jdk/bin/java"), "/a.jar", List.of("-Xss4m"));

    assertThat(jvm.command("x.Main", List.of("train", "--job-dir", "/d")))
        .containsExactly(
            "/jdk/bin/java",
            "-Xss4m",
            "-Dai.djl.offline=true",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            "/a.jar",
            "x.Main",
            "train",
            "--job-dir",
            "/d");
  }

  @Test
  void withoutAMainClassTheCommandRunsContainerMain() {
    ChildJvm jvm = new ChildJvm(Path.of("/jdk/bin/java"), "/a.jar", List.of());

    assertThat(jvm.command(List.of("serve"))).endsWith(ContainerMain.class.getName(), "serve");
  }
}
