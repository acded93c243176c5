package dev.tune.container.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/** Streams a child's output, line by line, to a consumer and keeps its last lines. */
final class ProcessOutput {
  static final int KEPT_LINES = 200;

  private final Deque<String> last = new ArrayDeque<>();
  private final Thread pump;

  private ProcessOutput(InputStream stream, Consumer<String> sink, String name) {
    this.pump =
        Thread.ofPlatform()
            .daemon()
            .name(name)
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      keep(line);
                      sink.accept(line);
                    }
                  } catch (IOException e) {
                    keep("(output of the child process could not be read: " + e.getMessage() + ")");
                  }
                });
  }

  static ProcessOutput pump(Process process, Consumer<String> sink, String name) {
    return new ProcessOutput(process.getInputStream(), sink, name);
  }

  private synchronized void keep(String line) {
    if (last.size() == KEPT_LINES) {
      last.removeFirst();
    }
    last.addLast(line);
  }

  /** Waits until the child closed its output (it exited), at most {@code millis}. */
  void awaitEnd(long millis) throws InterruptedException {
    pump.join(millis);
  }

  synchronized List<String> lastLines() {
    return List.copyOf(last);
  }
}
