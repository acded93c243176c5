package dev.tune.container.image;

import java.nio.file.Path;

/**
 * A Linux x64 Java runtime ready to go into the image.
 *
 * @param home its directory on this machine (with {@code bin/java})
 * @param version its {@code JAVA_VERSION} from the {@code release} file, or {@code unknown}
 */
public record Jre(Path home, String version) {}
