package dev.tune.core.provider;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the {@code local} provider, which runs jobs and endpoints as processes on this
 * machine.
 *
 * @param workDir where jobs, models and endpoints keep their files
 * @param contract the container contract the entrypoints run under
 */
public record LocalSettings(Path workDir, LocalContract contract) {
  public LocalSettings {
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(contract, "contract");
    workDir = workDir.toAbsolutePath().normalize();
  }

  /** Settings that run under the local provider's own contract. */
  public LocalSettings(Path workDir) {
    this(workDir, LocalContract.LOCAL);
  }

  /** {@code ~/.tune/local}. */
  public static LocalSettings defaults() {
    return new LocalSettings(Path.of(System.getProperty("user.home"), ".tune", "local"));
  }

  /** The same settings running under {@code value}. */
  public LocalSettings withContract(LocalContract value) {
    return new LocalSettings(workDir, value);
  }
}
