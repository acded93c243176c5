package dev.tune.container.image;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.TuneException;
import dev.tune.core.image.RegistryCredential;
import dev.tune.core.image.RegistryCredentialProvider;
import dev.tune.core.image.RegistryCredentialProviders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Builds tune's image with Jib, without a Docker engine, and pushes it to a registry or writes it
 * to a tar.
 *
 * <pre>{@code
 * ImageBuildResult image = new ImageBuilder().build(ImageBuildRequest.builder()
 *     .classpath(AppClasspath.ofThisProcess())
 *     .target(new ImageTarget.Registry("123456789012.dkr.ecr.eu-west-1.amazonaws.com/tune:1"))
 *     .build());
 * }</pre>
 *
 * <p>Credentials for a registry come from the first of: the cloud module that serves it (Amazon
 * ECR, Artifact Registry, through {@link RegistryCredentialProvider}), the docker config ({@code
 * ~/.docker/config.json}: {@code auths}, {@code credHelpers}, {@code credsStore}), and the
 * well-known credential helpers on the {@code PATH}.
 *
 * <p>The image's creation time and every file's time are fixed, so the same request on the same
 * files gives the same digest, and a changed file changes only its own layer.
 */
public final class ImageBuilder {
  private final RegistryCredentialProviders credentialProviders;
  private final Consumer<String> log;

  /** A builder with the credential providers on the classpath, logging nowhere. */
  public ImageBuilder() {
    this(RegistryCredentialProviders.installed(), message -> {});
  }

  /**
   * @param credentialProviders the cloud credential providers to ask first
   * @param log told Jib's progress lines, e.g. {@code System.err::println}
   */
  public ImageBuilder(RegistryCredentialProviders credentialProviders, Consumer<String> log) {
    this.credentialProviders = credentialProviders;
    this.log = log;
  }

  /**
   * Builds the image of {@code request} and sends it to its target.
   *
   * @throws BaseImageNotFoundException if the base image does not exist
   * @throws RegistryAuthException if a registry refused the credentials
   * @throws RepositoryNotFoundException if the target repository is missing
   * @throws RegistryUnreachableException if a registry cannot be reached
   */
  public ImageBuildResult build(ImageBuildRequest request) {
    Instant start = Instant.now();
    Jre jre = new JreResolver(request.cacheDir()).resolve(request.jre());
    ImageLayout layout = ImageLayout.plan(request, jre);
    ImageReference base = parse(request.baseImage(), "base image");
    Consumer<LogEvent> jibLog = this::logEvent;

    JibContainerBuilder container = Jib.from(registryImage(base, jibLog));
    container
        .setPlatforms(Set.of(new Platform("amd64", "linux")))
        .setCreationTime(Instant.EPOCH)
        .setFileEntriesLayers(layout.layers())
        .setEntrypoint(layout.entrypoint())
        .setProgramArguments(List.of())
        .addExposedPort(Port.tcp(8080));
    layout.environment().forEach(container::addEnvironmentVariable);
    layout.labels().forEach(container::addLabel);

    String registry = JibFailures.registryOf(request.baseImage());
    RegistryProbe.check(base.getRegistry());
    if (request.target() instanceof ImageTarget.Registry target) {
      RegistryProbe.check(parse(target.reference(), "target").getRegistry());
    }
    Containerizer containerizer = containerizer(request, jibLog);
    // Jib leaves a caller's executor running; ours is stopped and awaited before build() returns,
    // so no layer is still being written to the cache after a failure.
    ExecutorService executor = Executors.newCachedThreadPool();
    containerizer.setExecutorService(executor);
    try {
      JibContainer built = container.containerize(containerizer);
      List<String> tags = new ArrayList<>(built.getTags());
      tags.sort(null);
      return new ImageBuildResult(
          request.target().reference(),
          built.getDigest().toString(),
          built.getImageId().toString(),
          tags,
          built.isImagePushed(),
          summaries(layout.layers()),
          Duration.between(start, Instant.now()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw JibFailures.map(e, request.baseImage(), registry, request.target().reference());
    } catch (ExecutionException | RegistryException | IOException e) {
      throw JibFailures.map(e, request.baseImage(), registry, request.target().reference());
    } catch (CacheDirectoryCreationException e) {
      throw new UncheckedIOException(
          "Cannot create the layer cache below " + request.cacheDir(),
          new IOException(e.getMessage(), e));
    } finally {
      stop(executor);
    }
  }

  private static void stop(ExecutorService executor) {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("Jib's layer builders did not stop within 5 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Containerizer containerizer(ImageBuildRequest request, Consumer<LogEvent> jibLog) {
    Containerizer containerizer =
        switch (request.target()) {
          case ImageTarget.Registry registry -> {
            ImageReference target = parse(registry.reference(), "target");
            if (request.createRepository()) {
              createRepository(target);
            }
            Containerizer c = Containerizer.to(registryImage(target, jibLog));
            for (String tag : request.additionalTags()) {
              c.withAdditionalTag(tag);
            }
            yield c;
          }
          case ImageTarget.Tar tar -> {
            try {
              if (tar.file().toAbsolutePath().getParent() != null) {
                Files.createDirectories(tar.file().toAbsolutePath().getParent());
              }
            } catch (IOException e) {
              throw new UncheckedIOException("Cannot create the folder of " + tar.file(), e);
            }
            yield Containerizer.to(
                TarImage.at(tar.file()).named(parse(tar.reference(), "tar image name")));
          }
        };
    return containerizer
        .setToolName("tune")
        .setToolVersion(request.tuneVersion())
        .setAllowInsecureRegistries(request.allowInsecureRegistries())
        .setBaseImageLayersCache(request.cacheDir().resolve("jib/base"))
        .setApplicationLayersCache(request.cacheDir().resolve("jib/app"))
        .addEventHandler(LogEvent.class, jibLog);
  }

  private void createRepository(ImageReference target) {
    RegistryCredentialProvider provider =
        credentialProviders
            .forRegistry(target.getRegistry())
            .orElseThrow(
                () ->
                    new BadInputException(
                        "tune cannot create repositories in "
                            + target.getRegistry()
                            + ": no cloud module serves that registry.",
                        "Create the repository with the registry's own tools, or leave out"
                            + " --create-repository (most registries create it on the first"
                            + " push)."));
    boolean created = provider.createRepository(target.getRegistry(), target.getRepository());
    log.accept(
        (created ? "Created the repository " : "The repository exists: ")
            + target.getRegistry()
            + "/"
            + target.getRepository());
  }

  private RegistryImage registryImage(ImageReference reference, Consumer<LogEvent> jibLog) {
    RegistryImage image = RegistryImage.named(reference);
    Optional<RegistryCredentialProvider> cloud =
        credentialProviders.forRegistry(reference.getRegistry());
    cloud.ifPresent(
        provider ->
            image.addCredentialRetriever(
                () -> {
                  RegistryCredential credential = provider.credential(reference.getRegistry());
                  return Optional.of(Credential.from(credential.username(), credential.password()));
                }));
    CredentialRetrieverFactory docker = CredentialRetrieverFactory.forImage(reference, jibLog);
    image.addCredentialRetriever(docker.dockerConfig());
    image.addCredentialRetriever(docker.wellKnownCredentialHelpers());
    return image;
  }

  private void logEvent(LogEvent event) {
    switch (event.getLevel()) {
      case ERROR, WARN, LIFECYCLE, PROGRESS -> log.accept(event.getMessage());
      default -> {}
    }
  }

  private static ImageReference parse(String reference, String what) {
    try {
      return ImageReference.parse(reference);
    } catch (InvalidImageReferenceException e) {
      TuneException bad =
          new BadInputException(
              "Not an image reference: '" + reference + "' (the " + what + ").",
              "Write it as [REGISTRY/]REPOSITORY[:TAG], e.g."
                  + " 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tune:1.",
              e);
      throw bad;
    }
  }

  private static List<ImageBuildResult.LayerSummary> summaries(List<FileEntriesLayer> layers) {
    List<ImageBuildResult.LayerSummary> summaries = new ArrayList<>();
    for (FileEntriesLayer layer : layers) {
      long bytes = 0;
      for (FileEntry entry : layer.getEntries()) {
        try {
          if (Files.isRegularFile(entry.getSourceFile())) {
            bytes += Files.size(entry.getSourceFile());
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      summaries.add(
          new ImageBuildResult.LayerSummary(layer.getName(), layer.getEntries().size(), bytes));
    }
    return summaries;
  }
}
