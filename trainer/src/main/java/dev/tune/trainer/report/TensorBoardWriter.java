package dev.tune.trainer.report;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Map;

/**
 * Writes a TensorBoard event file, {@code events.out.tfevents.<seconds>.<host>}: TFRecords of
 * {@code tensorflow.Event} protobufs, the first one naming the format ({@code brain.Event:2}), then
 * one event per step with a {@code Summary} of scalar values. Each event is flushed as it is
 * written, so TensorBoard shows a run while it trains.
 */
public final class TensorBoardWriter implements AutoCloseable {

  /** The {@code file_version} TensorBoard expects in the first event. */
  static final String FILE_VERSION = "brain.Event:2";

  // tensorflow/core/util/event.proto
  private static final int EVENT_WALL_TIME = 1;
  private static final int EVENT_STEP = 2;
  private static final int EVENT_FILE_VERSION = 3;
  private static final int EVENT_SUMMARY = 5;
  // tensorflow/core/framework/summary.proto
  private static final int SUMMARY_VALUE = 1;
  private static final int VALUE_TAG = 1;
  private static final int VALUE_SIMPLE_VALUE = 2;

  private final Path file;
  private final OutputStream out;
  private final TfRecordWriter records;
  private final Clock clock;

  private TensorBoardWriter(Path file, OutputStream out, Clock clock) {
    this.file = file;
    this.out = out;
    this.records = new TfRecordWriter(out);
    this.clock = clock;
  }

  /** A new event file in {@code logDir} (created if missing), named after now and this host. */
  public static TensorBoardWriter create(Path logDir) {
    return create(logDir, Clock.systemUTC());
  }

  static TensorBoardWriter create(Path logDir, Clock clock) {
    try {
      Files.createDirectories(logDir);
      String base = "events.out.tfevents." + clock.instant().getEpochSecond() + "." + hostName();
      Path file = logDir.resolve(base);
      // two writers started in the same second must not share a file
      for (int n = 1; Files.exists(file); n++) {
        file = logDir.resolve(base + "." + n);
      }
      OutputStream out =
          new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW));
      TensorBoardWriter writer = new TensorBoardWriter(file, out, clock);
      writer.write(writer.event(0).stringField(EVENT_FILE_VERSION, FILE_VERSION));
      return writer;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create a TensorBoard event file in " + logDir + "; check that it is writable", e);
    }
  }

  /** The event file. */
  public Path file() {
    return file;
  }

  /** Writes one event at {@code step} holding a scalar per entry (tag to value). */
  public void scalars(long step, Map<String, Double> values) {
    if (values.isEmpty()) {
      return;
    }
    ProtoWriter summary = new ProtoWriter();
    values.forEach(
        (tag, value) ->
            summary.bytesField(
                SUMMARY_VALUE,
                new ProtoWriter()
                    .stringField(VALUE_TAG, tag)
                    .floatField(VALUE_SIMPLE_VALUE, value.floatValue())
                    .toByteArray()));
    write(event(step).bytesField(EVENT_SUMMARY, summary.toByteArray()));
  }

  private ProtoWriter event(long step) {
    return new ProtoWriter()
        .doubleField(EVENT_WALL_TIME, clock.millis() / 1000.0)
        .int64Field(EVENT_STEP, step);
  }

  private void write(ProtoWriter event) {
    try {
      records.write(event.toByteArray());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    }
  }

  private static String hostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.isBlank() ? "localhost" : name;
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
