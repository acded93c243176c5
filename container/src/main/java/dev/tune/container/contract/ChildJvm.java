package dev.tune.container.contract;

import dev.tune.container.ContainerMain;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How to start {@link ContainerMain}, or another of tune's main classes, in a child JVM on this
 * machine: the same java and classpath as this process, so a child runs exactly the code its parent
 * runs; DJL offline (the native library is on the classpath or in {@code PYTORCH_LIBRARY_PATH}),
 * native access allowed, DJL's usage tracking off. The local provider starts its jobs and endpoints
 * with it too.
 *
 * @param java the java executable
 * @param classPath the child's classpath
 * @param jvmOptions more JVM options, e.g. {@code -Xmx8g}
 */
public record ChildJvm(Path java, String classPath, List<String> jvmOptions) {
  public ChildJvm {
    Objects.requireNonNull(java, "java");
    Objects.requireNonNull(classPath, "classPath");
    jvmOptions = List.copyOf(jvmOptions);
  }

  /**
   * The java of this process ({@code ProcessHandle}), with its {@code java.class.path} made
   * absolute: a child runs in its own directory.
   */
  public static ChildJvm current() {
    Path java =
        ProcessHandle.current()
            .info()
            .command()
            .map(Path::of)
            .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    return new ChildJvm(java, absolute(System.getProperty("java.class.path")), List.of());
  }

  /** The class path with relative entries made absolute and empty ones dropped. */
  static String absolute(String classPath) {
    return Arrays.stream(classPath.split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  public ChildJvm withClassPath(String value) {
    return new ChildJvm(java, value, jvmOptions);
  }

  public ChildJvm withJvmOptions(List<String> value) {
    return new ChildJvm(java, classPath, value);
  }

  /** The command line of {@code ContainerMain args...}. */
  public List<String> command(List<String> args) {
    return command(ContainerMain.class.getName(), args);
  }

  /** The command line of {@code mainClass args...}. */
  public List<String> command(String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    command.add("-Dai.djl.offline=true");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    return List.copyOf(command);
  }

  /** A process builder for {@code ContainerMain args...} with {@code env} added to this one's. */
  public ProcessBuilder processBuilder(List<String> args, Map<String, String> env) {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command(args)));
    Map<String, String> environment = builder.environment();
    // Variables of a real platform in this shell must not leak into the child's contract.
    environment
        .keySet()
        .removeIf(
            k -> k.startsWith("SM_") || k.startsWith("AIP_") || k.equals("TRAINING_JOB_NAME"));
    environment.put("OPT_OUT_TRACKING", "true");
    environment.putAll(env);
    return builder;
  }
}
