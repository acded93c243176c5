package dev.tune.container.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What tune puts on top of the base image: the layers, ordered from the one that changes least to
 * the one that changes most (JRE, dependency jars, resources, tune's own jars), and the entrypoint,
 * environment and labels. Pure: reading the same files gives the same plan.
 */
final class ImageLayout {
  static final String MAIN_CLASS = "dev.tune.container.ContainerMain";
  static final AbsoluteUnixPath ROOT = AbsoluteUnixPath.get("/opt/tune");
  static final AbsoluteUnixPath JRE_HOME = ROOT.resolve("jre");
  static final AbsoluteUnixPath LIB = ROOT.resolve("lib");
  static final AbsoluteUnixPath APP = ROOT.resolve("app");
  static final AbsoluteUnixPath RESOURCES = ROOT.resolve("resources");

  /** The layer names, as they appear in the build's log and the history. */
  static final String JRE_LAYER = "jre";

  static final String DEPENDENCIES_LAYER = "dependencies";
  static final String RESOURCES_LAYER = "resources";
  static final String PROJECT_LAYER = "project";

  private final List<FileEntriesLayer> layers;
  private final List<String> entrypoint;
  private final Map<String, String> environment;
  private final Map<String, String> labels;

  private ImageLayout(
      List<FileEntriesLayer> layers,
      List<String> entrypoint,
      Map<String, String> environment,
      Map<String, String> labels) {
    this.layers = List.copyOf(layers);
    this.entrypoint = List.copyOf(entrypoint);
    this.environment = environment;
    this.labels = labels;
  }

  static ImageLayout plan(ImageBuildRequest request, Jre jre) {
    FileEntriesLayer.Builder dependencies = FileEntriesLayer.builder().setName(DEPENDENCIES_LAYER);
    FileEntriesLayer.Builder project = FileEntriesLayer.builder().setName(PROJECT_LAYER);
    List<String> classpath = new ArrayList<>();
    request.resources().ifPresent(r -> classpath.add(RESOURCES.toString()));
    Set<String> usedNames = new HashSet<>();
    int classDirs = 0;
    for (Path entry : request.classpath()) {
      ClasspathEntryKind kind = ClasspathEntryKind.of(entry);
      FileEntriesLayer.Builder layer = kind == ClasspathEntryKind.PROJECT ? project : dependencies;
      AbsoluteUnixPath dir = kind == ClasspathEntryKind.PROJECT ? APP : LIB;
      if (Files.isDirectory(entry)) {
        AbsoluteUnixPath target = APP.resolve("classes").resolve(Integer.toString(classDirs++));
        addTree(layer, entry, target, false);
        classpath.add(target.toString());
      } else {
        String name = entry.getFileName().toString();
        // Two jars may share a file name (different groups); the second gets its index.
        if (!usedNames.add(dir + "/" + name)) {
          name = classpath.size() + "-" + name;
          usedNames.add(dir + "/" + name);
        }
        AbsoluteUnixPath target = dir.resolve(name);
        layer.addEntry(
            entry,
            target,
            FilePermissions.DEFAULT_FILE_PERMISSIONS,
            FileEntriesLayer.DEFAULT_MODIFICATION_TIME);
        classpath.add(target.toString());
      }
    }

    List<FileEntriesLayer> layers = new ArrayList<>();
    FileEntriesLayer.Builder jreLayer = FileEntriesLayer.builder().setName(JRE_LAYER);
    addTree(jreLayer, jre.home(), JRE_HOME, true);
    layers.add(jreLayer.build());
    layers.add(dependencies.build());
    request
        .resources()
        .ifPresent(
            r -> {
              FileEntriesLayer.Builder resources =
                  FileEntriesLayer.builder().setName(RESOURCES_LAYER);
              addTree(resources, r, RESOURCES, false);
              layers.add(resources.build());
            });
    layers.add(project.build());

    List<String> entrypoint = new ArrayList<>();
    entrypoint.add(JRE_HOME.resolve("bin/java").toString());
    entrypoint.addAll(request.jvmFlags());
    entrypoint.add("-cp");
    entrypoint.add(String.join(":", classpath));
    entrypoint.add(MAIN_CLASS);

    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("JAVA_HOME", JRE_HOME.toString());
    environment.put("PYTORCH_LIBRARY_PATH", request.torchLibraryPath());
    environment.put("PYTORCH_VERSION", request.pytorchVersion());
    environment.put("PYTORCH_FLAVOR", request.pytorchFlavor());
    // Inside a container the server must listen beyond loopback to be reachable at all.
    environment.put("TUNE_SERVE_HOST", "0.0.0.0");
    // DJL reports usage unless told not to; a training container has no business doing that.
    environment.put("OPT_OUT_TRACKING", "true");
    environment.putAll(request.environment());

    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("org.opencontainers.image.title", "tune");
    labels.put("org.opencontainers.image.version", request.tuneVersion());
    labels.put("org.opencontainers.image.revision", request.commit());
    labels.put("org.opencontainers.image.base.name", request.baseImage());
    labels.put("dev.tune.version", request.tuneVersion());
    labels.put("dev.tune.commit", request.commit());
    labels.put("dev.tune.jre", jre.version());
    labels.put("dev.tune.pytorch", request.pytorchVersion() + "-" + request.pytorchFlavor());
    labels.putAll(request.labels());

    return new ImageLayout(layers, entrypoint, environment, labels);
  }

  /**
   * Adds every directory and file below {@code source} at {@code target}, in path order. The JRE
   * keeps its file modes (its launchers must stay executable); class and resource trees get the
   * usual 644/755 so that the digest does not depend on the umask of the machine that built them.
   */
  private static void addTree(
      FileEntriesLayer.Builder layer,
      Path source,
      AbsoluteUnixPath target,
      boolean keepPermissions) {
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path path : walk.sorted().toList()) {
        if (path.equals(source) || path.getFileName().toString().equals(".complete")) {
          continue;
        }
        if (Files.isSymbolicLink(path) && Files.isDirectory(path)) {
          continue; // a linked directory would arrive empty; the JREs we know have none
        }
        if (!Files.exists(path)) {
          continue; // a dangling link
        }
        String relative = source.relativize(path).toString().replace('\\', '/');
        FilePermissions permissions =
            keepPermissions
                ? FilePermissions.fromPosixFilePermissions(
                    Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS))
                : Files.isDirectory(path)
                    ? FilePermissions.DEFAULT_FOLDER_PERMISSIONS
                    : FilePermissions.DEFAULT_FILE_PERMISSIONS;
        if (keepPermissions && Files.isSymbolicLink(path)) {
          permissions =
              FilePermissions.fromPosixFilePermissions(Files.getPosixFilePermissions(path));
        }
        layer.addEntry(
            path,
            target.resolve(relative),
            permissions,
            FileEntriesLayer.DEFAULT_MODIFICATION_TIME);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + source + " for the image", e);
    }
  }

  List<FileEntriesLayer> layers() {
    return layers;
  }

  List<String> entrypoint() {
    return entrypoint;
  }

  Map<String, String> environment() {
    return environment;
  }

  Map<String, String> labels() {
    return labels;
  }
}
