package dev.tune.core.config;

/** A 1-based position in a YAML file. */
record Location(int line, int column) {
  static final Location START = new Location(1, 1);
}
