package dev.tune.container.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import dev.tune.core.image.RegistryCredentialProviders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds on a base image in a real registry (Debian's docker-registry on loopback) and reads the
 * result back with skopeo. CI installs both ({@code .ci/run}); without them the tests are skipped.
 */
class ImageBuilderRegistryTest {
  @TempDir static Path dir;
  private static LocalRegistry registry;
  private static String base;
  private static Path jre;

  @BeforeAll
  static void startRegistryAndPushBase() throws Exception {
    assumeTrue(
        LocalRegistry.installed() && Skopeo.installed(),
        "needs /usr/bin/docker-registry and /usr/bin/skopeo (apt-get install docker-registry"
            + " skopeo; .ci/run installs them)");
    registry = LocalRegistry.start(Files.createDirectories(dir.resolve("registry")));
    base = registry.address() + "/base:1";
    Path marker = Files.writeString(dir.resolve("base-marker"), "base", StandardCharsets.UTF_8);
    Jib.fromScratch()
        .addFileEntriesLayer(
            FileEntriesLayer.builder()
                .addEntry(marker, AbsoluteUnixPath.get("/etc/base-marker"))
                .build())
        .addEnvironmentVariable("PATH", "/opt/conda/bin:/usr/bin:/bin")
        .containerize(
            Containerizer.to(RegistryImage.named(base))
                .setAllowInsecureRegistries(true)
                .setBaseImageLayersCache(dir.resolve("jib-base"))
                .setApplicationLayersCache(dir.resolve("jib-app")));
    jre = Fixtures.jreHome(dir.resolve("jre"), "21.0.8", "Linux", "x86_64");
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static ImageBuildRequest.Builder request(Path work, String projectText) throws Exception {
    Path dependency =
        Fixtures.jar(
            work.resolve("lib/dependency-1.0.jar"),
            "org.example",
            "dependency",
            Map.of("org/example/Dep.txt", "a third-party library"));
    Path project =
        Fixtures.jar(
            work.resolve("lib/tune-example-0.1.jar"),
            "dev.tune",
            "tune-example",
            Map.of("dev/tune/example/App.txt", projectText));
    return ImageBuildRequest.builder()
        .baseImage(base)
        .jre(new JreSource.Local(jre))
        .classpath(List.of(dependency, project))
        .tuneVersion("0.1.0-test")
        .commit("0123abcd")
        .allowInsecureRegistries(true)
        .cacheDir(work.resolve("cache"));
  }

  private static ImageBuilder builder() {
    return new ImageBuilder(RegistryCredentialProviders.of(List.of()), line -> {});
  }

  @Test
  void pushedImageHasTheEntrypointEnvLabelsAndLayers(@TempDir Path work) throws Exception {
    String target = registry.address() + "/tune:inspect";
    ImageBuildResult result =
        builder()
            .build(request(work, "version 1").target(new ImageTarget.Registry(target)).build());

    JsonNode inspect = Skopeo.inspect("docker://" + target);
    assertThat(inspect.path("Digest").asText()).isEqualTo(result.digest());
    assertThat(inspect.path("Architecture").asText()).isEqualTo("amd64");
    assertThat(inspect.path("Os").asText()).isEqualTo("linux");
    List<String> env = texts(inspect.path("Env"));
    assertThat(env)
        .contains(
            "PATH=/opt/conda/bin:/usr/bin:/bin",
            "JAVA_HOME=/opt/tune/jre",
            "PYTORCH_LIBRARY_PATH=/opt/conda/lib/python3.11/site-packages/torch/lib",
            "PYTORCH_VERSION=2.7.1",
            "PYTORCH_FLAVOR=cu128",
            "TUNE_SERVE_HOST=0.0.0.0",
            "OPT_OUT_TRACKING=true");
    JsonNode labels = inspect.path("Labels");
    assertThat(labels.path("dev.tune.version").asText()).isEqualTo("0.1.0-test");
    assertThat(labels.path("dev.tune.commit").asText()).isEqualTo("0123abcd");
    assertThat(labels.path("org.opencontainers.image.revision").asText()).isEqualTo("0123abcd");
    assertThat(labels.path("dev.tune.jre").asText()).isEqualTo("21.0.8");
    // The base's one layer, then jre, dependencies, project.
    assertThat(inspect.path("Layers")).hasSize(4);
    assertThat(result.layers())
        .extracting(ImageBuildResult.LayerSummary::name)
        .containsExactly("jre", "dependencies", "project");

    JsonNode config = Skopeo.config("docker://" + target).path("config");
    assertThat(texts(config.path("Entrypoint")))
        .containsExactly(
            "/opt/tune/jre/bin/java",
            "--enable-native-access=ALL-UNNAMED",
            "-XX:MaxRAMPercentage=80",
            "-cp",
            "/opt/tune/lib/dependency-1.0.jar:/opt/tune/app/tune-example-0.1.jar",
            "dev.tune.container.ContainerMain");
    assertThat(config.path("Cmd").isMissingNode() || config.path("Cmd").isEmpty()).isTrue();
  }

  @Test
  void theSameInputsGiveTheSameDigestInARegistryAndInATar(@TempDir Path work) throws Exception {
    ImageBuildResult first =
        builder()
            .build(
                request(work.resolve("a"), "same")
                    .target(new ImageTarget.Registry(registry.address() + "/tune:same-1"))
                    .build());
    ImageBuildResult second =
        builder()
            .build(
                request(work.resolve("b"), "same")
                    .target(new ImageTarget.Registry(registry.address() + "/tune:same-2"))
                    .build());
    Path tar = work.resolve("out/tune.tar");
    ImageBuildResult third =
        builder()
            .build(
                request(work.resolve("c"), "same")
                    .target(new ImageTarget.Tar(tar, "tune:same"))
                    .build());

    assertThat(second.digest()).isEqualTo(first.digest());
    assertThat(third.digest()).isEqualTo(first.digest());
    assertThat(third.pushed()).isFalse();
    JsonNode fromTar = Skopeo.inspect("docker-archive:" + tar);
    assertThat(texts(fromTar.path("Env"))).contains("PYTORCH_FLAVOR=cu128");
    assertThat(fromTar.path("Layers")).hasSize(4);
    assertThat(fromTar.path("Labels").path("dev.tune.commit").asText()).isEqualTo("0123abcd");
  }

  @Test
  void aCodeChangePushesOnlyTheProjectLayer(@TempDir Path work) throws Exception {
    String target = registry.address() + "/tune-change:latest";
    Map<String, Long> before = registry.blobs();
    ImageBuildResult first =
        builder().build(request(work, "line = 1").target(new ImageTarget.Registry(target)).build());
    Map<String, Long> afterFirst = registry.blobs();
    List<String> firstLayers = texts(Skopeo.inspect("docker://" + target).path("Layers"));

    ImageBuildResult second =
        builder().build(request(work, "line = 2").target(new ImageTarget.Registry(target)).build());
    Map<String, Long> afterSecond = registry.blobs();
    List<String> secondLayers = texts(Skopeo.inspect("docker://" + target).path("Layers"));

    assertThat(second.digest()).isNotEqualTo(first.digest());
    assertThat(secondLayers.subList(0, 3)).isEqualTo(firstLayers.subList(0, 3));
    assertThat(secondLayers.get(3)).isNotEqualTo(firstLayers.get(3));
    Map<String, Long> newBlobs = added(afterFirst, afterSecond);
    // The new project layer, the new image config and the new manifest; nothing else.
    assertThat(newBlobs).hasSize(3).containsKey(secondLayers.get(3));
    assertThat(newBlobs).containsKey(second.digest());
    // The base was in the registry already and is never uploaded again.
    assertThat(added(before, afterFirst)).containsKey(firstLayers.get(3));
    assertThat(added(before, afterFirst)).doesNotContainKey(firstLayers.get(0));
  }

  @Test
  void aMissingBaseImageIsReportedAsSuch(@TempDir Path work) throws Exception {
    ImageBuildRequest request =
        request(work, "x")
            .baseImage(registry.address() + "/no-such-base:1")
            .target(new ImageTarget.Registry(registry.address() + "/tune:nobase"))
            .build();
    assertThatThrownBy(() -> builder().build(request))
        .isInstanceOf(BaseImageNotFoundException.class)
        .hasMessageContaining("no-such-base:1");
  }

  @Test
  void anUnreachableRegistryIsReportedAsSuch(@TempDir Path work) throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ImageBuildRequest request =
        request(work, "x")
            .baseImage("localhost:" + closedPort + "/base:1")
            .target(new ImageTarget.Tar(work.resolve("t.tar"), "tune:x"))
            .build();
    assertThatThrownBy(() -> builder().build(request))
        .isInstanceOf(RegistryUnreachableException.class)
        .hasMessageContaining("localhost:" + closedPort);
  }

  private static Map<String, Long> added(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> added = new HashMap<>(after);
    added.keySet().removeAll(before.keySet());
    return added;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
  }
}
