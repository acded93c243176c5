package dev.tune.local.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts processes that outlive the CLI: their output goes to files instead of pipes to this JVM,
 * their input is empty, and where {@code setsid} exists they run in a session of their own, so the
 * Ctrl-C that ends a following CLI does not reach them.
 */
public final class DetachedLauncher {

  private static final List<Path> SETSID =
      List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

  private final Optional<Path> setsid;

  private DetachedLauncher(Optional<Path> setsid) {
    this.setsid = setsid;
  }

  /** A launcher that uses {@code setsid} where this machine has it. */
  public static DetachedLauncher create() {
    return new DetachedLauncher(SETSID.stream().filter(Files::isExecutable).findFirst());
  }

  /**
   * Starts {@code command} in {@code directory} with {@code env} added to this process's
   * environment (a {@code null} value removes a variable), appending its output to {@code stdout}
   * and {@code stderr}; when both are the same file, the two streams share it in the order written.
   */
  public ProcessIdentity start(
      List<String> command, Map<String, String> env, Path directory, Path stdout, Path stderr)
      throws IOException {
    List<String> line = new ArrayList<>();
    // setsid execs the command in place (the child is no group leader), so the pid stays the same.
    setsid.ifPresent(s -> line.add(s.toString()));
    line.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(line)
            .directory(directory.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()));
    if (stderr.equals(stdout)) {
      builder.redirectErrorStream(true);
    } else {
      builder.redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    }
    Map<String, String> environment = builder.environment();
    env.forEach(
        (name, value) -> {
          if (value == null) {
            environment.remove(name);
          } else {
            environment.put(name, value);
          }
        });
    Process process = builder.start();
    return ProcessIdentity.of(process.toHandle());
  }
}
