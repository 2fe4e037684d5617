/**
 * The {@code traffic-policy} command line: {@link io.github.trafficpolicy.dns.cli.TrafficPolicyCommand} is its
 * entry point ({@code main}, and {@code commandLine()} to run it in-process). The subcommands are package-private:
 * their options and output are the interface, documented by {@code traffic-policy <command> --help}.
 */
@NullMarked
package io.github.trafficpolicy.dns.cli;

import org.jspecify.annotations.NullMarked;
