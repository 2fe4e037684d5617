package io.github.trafficpolicy.dns.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} for subcommands that have their own {@code --version} option (a policy version number), where
 * picocli's standard help mixin (which also defines {@code -V, --version}) cannot be used.
 */
final class HelpOption {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
}
