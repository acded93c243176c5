package dev.tune.cli;

import picocli.CommandLine.Command;

/** {@code tune config}: commands about {@code tune.yaml}. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Commands about tune.yaml.",
    subcommands = ConfigValidateCommand.class,
    footerHeading = "%nExamples:%n",
    footer = {"  tune config validate", "  tune config validate -c vertex.yaml --provider vertex"})
final class ConfigCommand {}
