package dev.tune.local.process;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How to start another JVM running tune's own classes: the same java executable and class path as
 * this process, so a child runs exactly the code the CLI runs.
 *
 * @param executable the {@code java} binary
 * @param classPath the child's class path
 * @param jvmOptions options placed before the main class
 */
public record ChildJava(Path executable, String classPath, List<String> jvmOptions) {

  /**
   * What every child needs: DJL must use the native library on the class path instead of
   * downloading one, and may load it without a warning.
   */
  public static final List<String> DEFAULT_OPTIONS =
      List.of("-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED", "-Xss4m");

  public ChildJava {
    Objects.requireNonNull(executable, "executable");
    Objects.requireNonNull(classPath, "classPath");
    jvmOptions = List.copyOf(jvmOptions);
  }

  /** The java and class path of this process, with {@link #DEFAULT_OPTIONS}. */
  public static ChildJava current() {
    Path java =
        ProcessHandle.current()
            .info()
            .command()
            .map(Path::of)
            .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    return new ChildJava(java, absolute(System.getProperty("java.class.path")), DEFAULT_OPTIONS);
  }

  /** The class path with relative entries made absolute: a child runs in another directory. */
  static String absolute(String classPath) {
    return Arrays.stream(classPath.split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The command line that runs {@code mainClass} with {@code args}. */
  public List<String> command(String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    return List.copyOf(command);
  }
}
