package dev.tune.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version of tune, stamped into the jar by the build. */
final class VersionProvider implements IVersionProvider {

  /** The tune version, e.g. {@code 0.1.0}. */
  static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String javaVersion() {
    return Runtime.version().toString();
  }

  static String os() {
    return System.getProperty("os.name") + " " + System.getProperty("os.arch");
  }

  @Override
  public String[] getVersion() {
    return new String[] {"tune " + version(), "Java " + javaVersion() + ", " + os()};
  }
}
