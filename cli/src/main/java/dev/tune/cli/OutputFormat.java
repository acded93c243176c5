package dev.tune.cli;

/** How a command writes its result on stdout. */
public enum OutputFormat {
  /** For people: lines of text. */
  TEXT,
  /** For programs: exactly one JSON document on stdout, everything else on stderr. */
  JSON
}
