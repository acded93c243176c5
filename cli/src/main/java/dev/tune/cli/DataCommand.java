package dev.tune.cli;

import picocli.CommandLine.Command;

/** {@code tune data}: commands about training data. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Commands about training data.",
    subcommands = DataInspectCommand.class,
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune data inspect data/train.jsonl",
      "  tune data inspect 'data/*.parquet' --model ./tinyllama"
    })
final class DataCommand {}
