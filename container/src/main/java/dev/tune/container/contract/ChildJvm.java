package dev.tune.container.contract;

import dev.tune.container.ContainerMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to start {@link ContainerMain} in a child JVM on this machine: the same java and classpath as
 * this process, DJL offline (the native library is on the classpath or in {@code
 * PYTORCH_LIBRARY_PATH}), native access allowed, DJL's usage tracking off.
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

  /** The java of this process ({@code ProcessHandle}), with its {@code java.class.path}. */
  public static ChildJvm current() {
    Path java =
        ProcessHandle.current()
            .info()
            .command()
            .map(Path::of)
            .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    return new ChildJvm(java, System.getProperty("java.class.path"), List.of());
  }

  public ChildJvm withClassPath(String value) {
    return new ChildJvm(java, value, jvmOptions);
  }

  public ChildJvm withJvmOptions(List<String> value) {
    return new ChildJvm(java, classPath, value);
  }

  /** The command line of {@code ContainerMain args...}. */
  public List<String> command(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    command.add("-Dai.djl.offline=true");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(classPath);
    command.add(ContainerMain.class.getName());
    command.addAll(args);
    return command;
  }

  /** A process builder for {@code ContainerMain args...} with {@code env} added to this one's. */
  public ProcessBuilder processBuilder(List<String> args, Map<String, String> env) {
    ProcessBuilder builder = new ProcessBuilder(command(args));
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
