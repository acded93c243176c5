package dev.tune.core.config;

import dev.tune.core.error.BadInputException;
import dev.tune.core.provider.ProviderRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Reads and validates {@code tune.yaml} files. Immutable; the {@code with} methods return changed
 * copies.
 *
 * <pre>{@code
 * TuneConfig config = TuneConfigLoader.create().withProvider("vertex").load(Path.of("tune.yaml"));
 * }</pre>
 *
 * <p>Validation reports every problem of a file at once, each with its key path, line, column,
 * value and what is allowed (see {@link InvalidConfigException}). Relative paths in the file are
 * resolved against the file's directory.
 */
public final class TuneConfigLoader {
  /** The providers tune.yaml has blocks for; valid names even before their module is present. */
  public static final Set<String> BUILT_IN_PROVIDERS = Set.of("local", "sagemaker", "vertex");

  private final Map<String, String> environment;
  private final Optional<String> providerOverride;
  private final SortedSet<String> providerNames;

  private TuneConfigLoader(
      Map<String, String> environment,
      Optional<String> providerOverride,
      SortedSet<String> providerNames) {
    this.environment = Map.copyOf(environment);
    this.providerOverride = providerOverride;
    this.providerNames = providerNames;
  }

  /**
   * A loader that reads {@code ${VAR}} from the process environment and accepts the built-in
   * provider names and those of the providers on the classpath.
   */
  public static TuneConfigLoader create() {
    SortedSet<String> names = new TreeSet<>(BUILT_IN_PROVIDERS);
    names.addAll(ProviderRegistry.discover().names());
    return new TuneConfigLoader(System.getenv(), Optional.empty(), names);
  }

  /** A copy that reads {@code ${VAR}} from {@code environment} instead. */
  public TuneConfigLoader withEnvironment(Map<String, String> environment) {
    return new TuneConfigLoader(environment, providerOverride, providerNames);
  }

  /**
   * A copy that uses provider {@code name} whatever the file says, as {@code --provider} does; the
   * file is then checked for what that provider needs.
   *
   * @throws BadInputException if no provider of that name is known
   */
  public TuneConfigLoader withProvider(String name) {
    if (!providerNames.contains(name)) {
      throw new BadInputException(
          "Unknown provider '"
              + name
              + "'. Known providers: "
              + String.join(", ", providerNames)
              + ".",
          "Use one of: " + String.join(", ", providerNames) + ".");
    }
    return new TuneConfigLoader(environment, Optional.of(name), providerNames);
  }

  /** The provider names the loader accepts. */
  public SortedSet<String> providerNames() {
    return providerNames;
  }

  /**
   * Reads and validates {@code file}.
   *
   * @throws InvalidConfigException listing every problem of the file
   * @throws BadInputException if the file does not exist or cannot be read
   */
  public TuneConfig load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException(
          file + " does not exist.", "Write one with `tune init`, or point --config at yours.", e);
    } catch (IOException e) {
      throw new BadInputException(
          file + " cannot be read: " + e.getMessage(),
          "Check that it is a readable file, or point --config at another.",
          e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(bytes, file.toString(), dir != null ? dir : Path.of("").toAbsolutePath());
  }

  /**
   * Reads and validates YAML text.
   *
   * @param source the name problems are reported under
   * @param baseDir the directory relative paths are resolved against
   * @throws InvalidConfigException listing every problem
   */
  public TuneConfig parse(String yaml, String source, Path baseDir) {
    return parse(yaml.getBytes(StandardCharsets.UTF_8), source, baseDir);
  }

  /**
   * Reads and validates YAML bytes (UTF-8).
   *
   * @param source the name problems are reported under
   * @param baseDir the directory relative paths are resolved against
   * @throws InvalidConfigException listing every problem
   */
  public TuneConfig parse(byte[] yaml, String source, Path baseDir) {
    Problems problems = new Problems(source);
    Optional<YamlNode.Mapping> tree = YamlTreeReader.read(yaml, problems);
    if (tree.isEmpty()) {
      problems.throwIfAny();
      throw new IllegalStateException("unreadable YAML without a problem");
    }
    YamlNode.Mapping resolved = new EnvInterpolator(environment, problems).resolve(tree.get());
    Reading reading = new Reading(problems, baseDir.toAbsolutePath());
    Optional<ConfigBinder.Bound> bound =
        new ConfigBinder(reading, resolved, providerOverride, providerNames).bind();
    problems.throwIfAny();
    ConfigBinder.Bound b = bound.orElseThrow();
    return new TuneConfig(source, b.train(), b.provider(), b.deploy(), reading.secretPaths());
  }
}
