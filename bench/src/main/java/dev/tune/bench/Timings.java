package dev.tune.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Medians of repeated runs, and the process's peak resident memory. */
final class Timings {
  private Timings() {}

  interface Run {
    void run() throws Exception;
  }

  /** Runs {@code body} {@code warmup} times untimed, then {@code runs} times; the median in s. */
  static double median(int warmup, int runs, Run body) throws Exception {
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    double[] seconds = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      body.run();
      seconds[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(seconds);
    return runs % 2 == 1 ? seconds[runs / 2] : (seconds[runs / 2 - 1] + seconds[runs / 2]) / 2;
  }

  /** VmHWM of this process in MiB, or -1 where /proc is missing. */
  static double peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
