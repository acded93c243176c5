package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PackageCommandTest {
  @Test
  void needsExactlyOneTarget() {
    assertThat(CliRun.run("package").exitCode()).isEqualTo(2);
    CliRun both = CliRun.run("package", "--to", "localhost:5000/tune:1", "--tar", "t.tar");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
  }

  @Test
  void refusesAJreDownloadWithoutAChecksum() {
    CliRun run =
        CliRun.run(
            "package",
            "--tar",
            "t.tar",
            "--jre",
            "https://example.invalid/jre.tar.gz",
            "-o",
            "json");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.json().toString()).contains("--jre-sha256");
  }
}
