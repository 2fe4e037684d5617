package io.github.trafficpolicy.dns.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} and {@code -V} for subcommands that have their own {@code --version} option (a policy version
 * number), where picocli's standard help mixin (which defines {@code -V, --version}) cannot be used: {@code -V}
 * prints the program's version there as in every other subcommand.
 */
final class HelpOption {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "-V", versionHelp = true, description = "Print version information and exit.")
  boolean versionHelp;
}
