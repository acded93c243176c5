package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.container.image.AppClasspath;
import dev.tune.container.image.ImageBuildRequest;
import dev.tune.container.image.ImageBuildResult;
import dev.tune.container.image.ImageBuilder;
import dev.tune.container.image.ImageTarget;
import dev.tune.container.image.JreSource;
import dev.tune.container.image.SourceCommit;
import dev.tune.core.error.BadInputException;
import dev.tune.core.image.RegistryCredentialProviders;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune package}: builds the training and serving image, without a Docker engine. */
@Command(
    name = "package",
    mixinStandardHelpOptions = true,
    description = {
      "Build the image that SageMaker and Vertex AI run (`IMAGE train`,",
      "`IMAGE serve`) with Jib: no Docker engine needed. On the base image",
      "(PyTorch 2.7.1 with CUDA 12.8 by default) go a Linux x64 JRE, the",
      "dependency jars and tune's own jars, each in its own layer, so a code",
      "change pushes only the small last layer. The same inputs give the same",
      "digest. Registry credentials: Amazon ECR and Artifact Registry from the",
      "cloud's own credentials, any other registry from ~/.docker/config.json",
      "or a credential helper."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune package --to 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tune:1 --create-repository",
      "  tune package --to europe-west4-docker.pkg.dev/my-project/tune/tune:1",
      "  tune package --tar tune.tar --jre ./OpenJDK21U-jre_x64_linux_hotspot.tar.gz",
      "  tune package --to localhost:5000/tune:dev --insecure -o json"
    })
final class PackageCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Target target;

  static final class Target {
    @Option(
        names = "--to",
        paramLabel = "REGISTRY/REPO:TAG",
        description = "Push the image to this registry reference.")
    String registry;

    @Option(
        names = "--tar",
        paramLabel = "FILE",
        description = "Write the image to this tar file (docker load, skopeo docker-archive:).")
    Path tar;
  }

  @Option(
      names = "--base",
      paramLabel = "IMAGE",
      description = "The base image. Default: ${DEFAULT-VALUE}.",
      defaultValue = ImageBuildRequest.DEFAULT_BASE)
  String base;

  @Option(
      names = "--jre",
      paramLabel = "URL|PATH",
      description =
          "The Linux x64 JRE 21+: an https URL of a .tar.gz (with --jre-sha256), a local .tar.gz,"
              + " or a JRE folder. Default: Eclipse Temurin 21, downloaded once into the cache.")
  String jre;

  @Option(
      names = "--jre-sha256",
      paramLabel = "HEX",
      description = "The SHA-256 of the --jre download, checked before use.")
  String jreSha256;

  @Option(
      names = "--torch-lib",
      paramLabel = "DIR",
      description =
          "libtorch's folder in the base image (PYTORCH_LIBRARY_PATH). Default: ${DEFAULT-VALUE}.",
      defaultValue = ImageBuildRequest.DEFAULT_TORCH_LIBRARY_PATH)
  String torchLibraryPath;

  @Option(
      names = "--resources",
      paramLabel = "DIR",
      description = "Files for /opt/tune/resources, first on the classpath (e.g. logging config).")
  Path resources;

  @Option(
      names = "--tag",
      paramLabel = "TAG",
      description = "Another tag to push the same image under (repeatable).")
  List<String> tags = List.of();

  @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Extra image environment.")
  Map<String, String> env = Map.of();

  @Option(names = "--label", paramLabel = "NAME=VALUE", description = "Extra image labels.")
  Map<String, String> labels = Map.of();

  @Option(
      names = "--tar-name",
      paramLabel = "NAME",
      description = "The image name recorded in the --tar file. Default: tune:VERSION.")
  String tarName;

  @Option(
      names = "--create-repository",
      description = "Create the repository first when it is missing (Amazon ECR).")
  boolean createRepository;

  @Option(
      names = "--insecure",
      description = "Allow registries over plain HTTP (a registry on this machine, for tests).")
  boolean insecure;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description = "Where JRE downloads and layers are cached. Default: ~/.tune/cache.")
  Path cacheDir;

  @Override
  public Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    Printer printer = root.printer();
    String version = VersionProvider.version();
    ImageBuildRequest.Builder request =
        ImageBuildRequest.builder()
            .baseImage(base)
            .jre(jreSource())
            .classpath(AppClasspath.ofThisProcess())
            .target(
                target.registry != null
                    ? new ImageTarget.Registry(target.registry)
                    : new ImageTarget.Tar(
                        target.tar, tarName != null ? tarName : "tune:" + tagSafe(version)))
            .torchLibraryPath(torchLibraryPath)
            .resources(resources)
            .tuneVersion(version)
            .commit(SourceCommit.of(PackageCommand.class))
            .allowInsecureRegistries(insecure)
            .createRepository(createRepository);
    tags.forEach(request::additionalTag);
    env.forEach(request::environment);
    labels.forEach(request::label);
    if (cacheDir != null) {
      request.cacheDir(cacheDir);
    }
    ImageBuildResult result =
        new ImageBuilder(
                RegistryCredentialProviders.installed(),
                // Jib narrates every step and retry; only --verbose wants that.
                line -> {
                  if (root.verbose()) {
                    printer.note(line);
                  }
                })
            .build(request.build());
    printer.result(text(result), () -> json(result));
    return 0;
  }

  private JreSource jreSource() {
    if (jre == null) {
      return JreSource.TEMURIN_21;
    }
    if (jre.startsWith("https://") || jre.startsWith("http://")) {
      if (jreSha256 == null) {
        throw new BadInputException(
            "--jre " + jre + " is a download without a checksum.",
            "Add --jre-sha256 with the SHA-256 its publisher lists, so a changed file is refused.");
      }
      return new JreSource.Download(URI.create(jre), jreSha256);
    }
    return new JreSource.Local(Path.of(jre));
  }

  private static String tagSafe(String version) {
    return version.replaceAll("[^A-Za-z0-9_.-]", "-");
  }

  private static String text(ImageBuildResult result) {
    StringBuilder text = new StringBuilder();
    text.append(result.pushed() ? "Pushed " : "Wrote ")
        .append(result.reference())
        .append(String.format(Locale.ROOT, " in %.1f s%n", result.elapsed().toMillis() / 1e3))
        .append("  digest: ")
        .append(result.digest())
        .append(System.lineSeparator());
    if (result.pushed()) {
      text.append("  pull:   ").append(result.pinnedReference()).append(System.lineSeparator());
    }
    text.append("  tags:   ").append(String.join(", ", result.tags()));
    for (ImageBuildResult.LayerSummary layer : result.layers()) {
      text.append(System.lineSeparator())
          .append(
              String.format(
                  Locale.ROOT,
                  "  layer %-12s %6d files %10.1f MB",
                  layer.name(),
                  layer.files(),
                  layer.bytes() / 1e6));
    }
    return text.toString();
  }

  private static ObjectNode json(ImageBuildResult result) {
    ObjectNode json = Printer.object();
    json.put("reference", result.reference());
    json.put("digest", result.digest());
    json.put("image_id", result.imageId());
    json.put("pushed", result.pushed());
    result.tags().forEach(json.putArray("tags")::add);
    var layers = json.putArray("layers");
    for (ImageBuildResult.LayerSummary layer : result.layers()) {
      layers
          .addObject()
          .put("name", layer.name())
          .put("files", layer.files())
          .put("bytes", layer.bytes());
    }
    json.put("seconds", result.elapsed().toMillis() / 1e3);
    return json;
  }
}
