package dev.tune.container.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.progress.MetricsReported;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.ProgressListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;

/**
 * The job's machine-readable record: one JSON object per line in the events file (appended, so a
 * resumed run continues it) and the same line on standard output, where log scrapers (SageMaker
 * metric definitions, Cloud Logging) find it.
 *
 * <pre>
 * {"type":"state","state":"TRAINING","time":"..."}
 * {"type":"metrics","step":10,"loss":1.93,"learning_rate":2.0E-4,...}
 * {"type":"eval","step":10,"eval_loss":2.01,...}
 * {"type":"done","time":"..."}   or   {"type":"failed","reason":"...","time":"..."}
 *                                  or   {"type":"stopped","time":"..."} after a SIGTERM
 * </pre>
 */
final class JobEvents implements ProgressListener, AutoCloseable {
  /** The stages a job passes through, as {@code state} events name them. */
  enum State {
    DOWNLOADING,
    TRAINING,
    MERGING,
    UPLOADING
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter file;
  private final PrintStream out;

  private JobEvents(BufferedWriter file, PrintStream out) {
    this.file = file;
    this.out = out;
  }

  static JobEvents open(Path eventsFile, PrintStream out) {
    try {
      Path parent = eventsFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return new JobEvents(
          Files.newBufferedWriter(
              eventsFile,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND),
          out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the events file " + eventsFile, e);
    }
  }

  void state(State state) {
    write(event("state").put("state", state.name()).put("time", Instant.now().toString()));
  }

  void done() {
    write(event("done").put("time", Instant.now().toString()));
  }

  /** A SIGTERM stopped the run after a checkpoint; not a failure, a restart resumes it. */
  void stopped() {
    write(event("stopped").put("time", Instant.now().toString()));
  }

  void failed(String reason) {
    write(event("failed").put("reason", reason).put("time", Instant.now().toString()));
  }

  /** Training and evaluation metrics; the trainer's final summary is a metrics event too. */
  @Override
  public void onEvent(ProgressEvent event) {
    if (event instanceof MetricsReported m) {
      Map<String, Double> metrics = m.metrics();
      ObjectNode node = event(metrics.containsKey("eval_loss") ? "eval" : "metrics");
      node.put("step", m.step());
      metrics.forEach(node::put);
      write(node);
    }
  }

  private static ObjectNode event(String type) {
    return JsonNodeFactory.instance.objectNode().put("type", type);
  }

  private synchronized void write(ObjectNode node) {
    String line;
    try {
      line = JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an event could not be written as JSON", e);
    }
    out.println(line);
    out.flush();
    try {
      file.write(line);
      file.newLine();
      file.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the events file", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      file.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the events file", e);
    }
  }
}
