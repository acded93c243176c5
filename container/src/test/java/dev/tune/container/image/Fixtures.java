package dev.tune.container.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Small inputs made on the fly: jars stamped like Maven's, and a JRE-shaped directory. */
final class Fixtures {
  private static final FileTime FIXED = FileTime.fromMillis(1_700_000_000_000L);

  private Fixtures() {}

  /**
   * A jar with Maven's {@code META-INF/maven/GROUP/ARTIFACT/pom.properties} and the given files;
   * fixed entry times, so the same content gives the same bytes.
   */
  static Path jar(Path file, String group, String artifact, Map<String, String> files)
      throws IOException {
    return jar(file, group, artifact, files, null);
  }

  static Path jar(
      Path file, String group, String artifact, Map<String, String> files, String classPath)
      throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (classPath != null) {
      manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
    }
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(out)) {
      put(jar, "META-INF/MANIFEST.MF", manifestBytes(manifest));
      if (group != null) {
        put(
            jar,
            "META-INF/maven/" + group + "/" + artifact + "/pom.properties",
            ("groupId=" + group + "\nartifactId=" + artifact + "\n")
                .getBytes(StandardCharsets.UTF_8));
      }
      for (Map.Entry<String, String> entry : new java.util.TreeMap<>(files).entrySet()) {
        put(jar, entry.getKey(), entry.getValue().getBytes(StandardCharsets.UTF_8));
      }
    }
    return file;
  }

  private static byte[] manifestBytes(Manifest manifest) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    manifest.write(bytes);
    return bytes.toByteArray();
  }

  private static void put(JarOutputStream jar, String name, byte[] content) throws IOException {
    JarEntry entry = new JarEntry(name);
    entry.setLastModifiedTime(FIXED);
    jar.putNextEntry(entry);
    jar.write(content);
    jar.closeEntry();
  }

  /**
   * A directory shaped like a JRE home: an executable {@code bin/java}, a {@code release} file, a
   * library. Enough for the layer and the checks; nothing here runs it.
   */
  static Path jreHome(Path dir, String javaVersion, String os, String arch) throws IOException {
    Files.createDirectories(dir.resolve("bin"));
    Files.createDirectories(dir.resolve("lib"));
    Path java = dir.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\necho java " + javaVersion + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        dir.resolve("lib/modules"), "modules of " + javaVersion, StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("release"),
        "JAVA_VERSION=\"" + javaVersion + "\"\nOS_NAME=\"" + os + "\"\nOS_ARCH=\"" + arch + "\"\n",
        StandardCharsets.UTF_8);
    return dir;
  }
}
