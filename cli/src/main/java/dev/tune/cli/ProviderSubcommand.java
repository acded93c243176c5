package dev.tune.cli;

import dev.tune.core.Tune;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A subcommand of {@code tune jobs}, {@code models} or {@code endpoints}: it connects to the chosen
 * provider (a config is optional), does its one thing, and closes the connection.
 */
abstract class ProviderSubcommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    try (Tune tune = ProviderSession.connectOptionalConfig(root)) {
      run(tune, root);
    }
    return 0;
  }

  /** The subcommand's work; {@code root} gives the printer and the global options. */
  abstract void run(Tune tune, TuneCommand root);
}
