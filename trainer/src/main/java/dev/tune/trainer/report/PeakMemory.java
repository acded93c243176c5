package dev.tune.trainer.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The most memory a run held: the process's peak resident set (Java heap and libtorch's native
 * allocations together) and, when the caller measured it, the accelerator's.
 *
 * @param hostBytes peak resident memory of the process
 * @param deviceBytes peak memory allocated on the accelerator
 */
public record PeakMemory(OptionalLong hostBytes, OptionalLong deviceBytes) {

  private static final Path STATUS = Path.of("/proc/self/status");

  /** Nothing measured. */
  public static PeakMemory unknown() {
    return new PeakMemory(OptionalLong.empty(), OptionalLong.empty());
  }

  /**
   * This process's peak resident set so far ({@code VmHWM} of {@code /proc/self/status}); empty
   * where the kernel does not report it (not Linux).
   */
  public static PeakMemory ofThisProcess() {
    if (!Files.isReadable(STATUS)) {
      return unknown();
    }
    try {
      return new PeakMemory(highWaterMark(Files.readAllLines(STATUS)), OptionalLong.empty());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + STATUS, e);
    }
  }

  /** The same host figure with the accelerator's peak added. */
  public PeakMemory withDeviceBytes(long bytes) {
    return new PeakMemory(hostBytes, OptionalLong.of(bytes));
  }

  static OptionalLong highWaterMark(Iterable<String> statusLines) {
    for (String line : statusLines) {
      if (line.startsWith("VmHWM:")) {
        String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
      }
    }
    return OptionalLong.empty();
  }
}
