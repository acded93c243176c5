package dev.tune.core.provider;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the {@code local} provider, which runs jobs and endpoints as processes on this
 * machine.
 *
 * @param workDir where jobs, models and endpoints keep their files
 */
public record LocalSettings(Path workDir) {
  public LocalSettings {
    Objects.requireNonNull(workDir, "workDir");
    workDir = workDir.toAbsolutePath().normalize();
  }

  /** {@code ~/.tune/local}. */
  public static LocalSettings defaults() {
    return new LocalSettings(Path.of(System.getProperty("user.home"), ".tune", "local"));
  }
}
