package dev.tune.local.registry;

import java.nio.file.Path;

/**
 * Test driver: registers a model directory {@code COUNT} times from a process of its own, so a test
 * can race two processes on one registry. Prints each id it got.
 *
 * <pre>RegisterDriverMain REGISTRY_ROOT MODEL_DIR NAME COUNT</pre>
 */
public final class RegisterDriverMain {
  private RegisterDriverMain() {}

  public static void main(String[] args) {
    LocalRegistry registry = new LocalRegistry(Path.of(args[0]));
    for (int i = 0; i < Integer.parseInt(args[3]); i++) {
      System.out.println(registry.register(args[2], Path.of(args[1])).id());
    }
  }
}
