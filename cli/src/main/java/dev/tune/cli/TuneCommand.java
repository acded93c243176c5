package dev.tune.cli;

/** Entry point of the {@code tune} command. */
public final class TuneCommand {
  private TuneCommand() {}

  public static void main(String[] args) {
    System.out.println("tune");
  }
}
