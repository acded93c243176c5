package dev.tune.container.image;

import dev.tune.core.error.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that decides the image: the same request on the same files gives the same digest.
 * Built with {@link #builder()}; every field but the target and the classpath has a default.
 */
public final class ImageBuildRequest {
  /** The official PyTorch runtime image whose libtorch (2.7.1, CUDA 12.8) DJL 0.36 expects. */
  public static final String DEFAULT_BASE = "pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime";

  /** Where libtorch lives in {@link #DEFAULT_BASE}: the torch package of its conda Python. */
  public static final String DEFAULT_TORCH_LIBRARY_PATH =
      "/opt/conda/lib/python3.11/site-packages/torch/lib";

  /** The JVM options of the entrypoint unless {@link Builder#jvmFlags(List)} says otherwise. */
  public static final List<String> DEFAULT_JVM_FLAGS =
      List.of("--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=80");

  private final String baseImage;
  private final JreSource jre;
  private final List<Path> classpath;
  private final Optional<Path> resources;
  private final ImageTarget target;
  private final List<String> additionalTags;
  private final String torchLibraryPath;
  private final String pytorchVersion;
  private final String pytorchFlavor;
  private final List<String> jvmFlags;
  private final Map<String, String> environment;
  private final Map<String, String> labels;
  private final String tuneVersion;
  private final String commit;
  private final boolean allowInsecureRegistries;
  private final boolean createRepository;
  private final Path cacheDir;

  private ImageBuildRequest(Builder b) {
    if (b.target == null) {
      throw new BadInputException(
          "The image build has no target.", "Give a registry reference (--to) or a tar (--tar).");
    }
    if (b.classpath.isEmpty()) {
      throw new BadInputException(
          "The image build has no application classpath.",
          "Pass the jars of tune-container and its dependencies (AppClasspath.ofThisProcess()).");
    }
    this.baseImage = b.baseImage;
    this.jre = b.jre;
    this.classpath = List.copyOf(b.classpath);
    this.resources = Optional.ofNullable(b.resources);
    this.target = b.target;
    this.additionalTags = List.copyOf(b.additionalTags);
    this.torchLibraryPath = b.torchLibraryPath;
    this.pytorchVersion = b.pytorchVersion;
    this.pytorchFlavor = b.pytorchFlavor;
    this.jvmFlags = List.copyOf(b.jvmFlags);
    this.environment = Map.copyOf(b.environment);
    this.labels = Map.copyOf(b.labels);
    this.tuneVersion = b.tuneVersion;
    this.commit = b.commit;
    this.allowInsecureRegistries = b.allowInsecureRegistries;
    this.createRepository = b.createRepository;
    this.cacheDir = b.cacheDir;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The base image reference, e.g. {@link #DEFAULT_BASE}. */
  public String baseImage() {
    return baseImage;
  }

  public JreSource jre() {
    return jre;
  }

  /** The application's jars and class directories, in classpath order. */
  public List<Path> classpath() {
    return classpath;
  }

  /** A directory copied to {@code /opt/tune/resources} and put first on the classpath. */
  public Optional<Path> resources() {
    return resources;
  }

  public ImageTarget target() {
    return target;
  }

  /** Tags pushed besides the target's own (registry targets only). */
  public List<String> additionalTags() {
    return additionalTags;
  }

  /** The base image's libtorch directory, given to DJL as {@code PYTORCH_LIBRARY_PATH}. */
  public String torchLibraryPath() {
    return torchLibraryPath;
  }

  public String pytorchVersion() {
    return pytorchVersion;
  }

  public String pytorchFlavor() {
    return pytorchFlavor;
  }

  public List<String> jvmFlags() {
    return jvmFlags;
  }

  /** Extra environment variables; they win over the defaults of the image. */
  public Map<String, String> environment() {
    return environment;
  }

  /** Extra labels; they win over tune's own. */
  public Map<String, String> labels() {
    return labels;
  }

  public String tuneVersion() {
    return tuneVersion;
  }

  /** The git commit tune was built from, or {@code unknown}. */
  public String commit() {
    return commit;
  }

  /** Whether registries may be reached over plain HTTP (a loopback test registry). */
  public boolean allowInsecureRegistries() {
    return allowInsecureRegistries;
  }

  /** Whether a missing repository is created through the registry's cloud provider. */
  public boolean createRepository() {
    return createRepository;
  }

  /** Where downloaded JREs and Jib's layer caches are kept, by default {@code ~/.tune/cache}. */
  public Path cacheDir() {
    return cacheDir;
  }

  /** Builder of {@link ImageBuildRequest}. */
  public static final class Builder {
    private String baseImage = DEFAULT_BASE;
    private JreSource jre = JreSource.TEMURIN_21;
    private List<Path> classpath = List.of();
    private Path resources;
    private ImageTarget target;
    private final List<String> additionalTags = new ArrayList<>();
    private String torchLibraryPath = DEFAULT_TORCH_LIBRARY_PATH;
    private String pytorchVersion = "2.7.1";
    private String pytorchFlavor = "cu128";
    private List<String> jvmFlags = DEFAULT_JVM_FLAGS;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String tuneVersion = "unknown";
    private String commit = "unknown";
    private boolean allowInsecureRegistries;
    private boolean createRepository;
    private Path cacheDir = Path.of(System.getProperty("user.home"), ".tune", "cache");

    private Builder() {}

    public Builder baseImage(String baseImage) {
      this.baseImage = Objects.requireNonNull(baseImage, "baseImage");
      return this;
    }

    public Builder jre(JreSource jre) {
      this.jre = Objects.requireNonNull(jre, "jre");
      return this;
    }

    public Builder classpath(List<Path> classpath) {
      this.classpath = List.copyOf(classpath);
      return this;
    }

    public Builder resources(Path resources) {
      this.resources = resources;
      return this;
    }

    public Builder target(ImageTarget target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    public Builder additionalTag(String tag) {
      additionalTags.add(Objects.requireNonNull(tag, "tag"));
      return this;
    }

    public Builder torchLibraryPath(String torchLibraryPath) {
      this.torchLibraryPath = Objects.requireNonNull(torchLibraryPath, "torchLibraryPath");
      return this;
    }

    public Builder pytorchVersion(String pytorchVersion) {
      this.pytorchVersion = Objects.requireNonNull(pytorchVersion, "pytorchVersion");
      return this;
    }

    public Builder pytorchFlavor(String pytorchFlavor) {
      this.pytorchFlavor = Objects.requireNonNull(pytorchFlavor, "pytorchFlavor");
      return this;
    }

    public Builder jvmFlags(List<String> jvmFlags) {
      this.jvmFlags = List.copyOf(jvmFlags);
      return this;
    }

    public Builder environment(String name, String value) {
      environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
      return this;
    }

    public Builder label(String name, String value) {
      labels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
      return this;
    }

    public Builder tuneVersion(String tuneVersion) {
      this.tuneVersion = Objects.requireNonNull(tuneVersion, "tuneVersion");
      return this;
    }

    public Builder commit(String commit) {
      this.commit = Objects.requireNonNull(commit, "commit");
      return this;
    }

    public Builder allowInsecureRegistries(boolean allowInsecureRegistries) {
      this.allowInsecureRegistries = allowInsecureRegistries;
      return this;
    }

    public Builder createRepository(boolean createRepository) {
      this.createRepository = createRepository;
      return this;
    }

    public Builder cacheDir(Path cacheDir) {
      this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
      return this;
    }

    public ImageBuildRequest build() {
      return new ImageBuildRequest(this);
    }
  }
}
