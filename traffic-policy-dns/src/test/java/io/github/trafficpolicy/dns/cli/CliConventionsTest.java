package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What every subcommand does alike: {@code -h} and {@code -V}. */
final class CliConventionsTest {

  @Test
  void everySubcommand_dashV_printsTheProgramVersionAndExits0() {
    String version = CliRun.run("-V").out();
    List<List<String>> paths = new ArrayList<>();
    collect(TrafficPolicyCommand.commandLine(), new ArrayList<>(), paths);

    assertThat(version).startsWith("traffic-policy ");
    assertThat(paths).as("subcommands found").hasSizeGreaterThan(20)
        .anySatisfy(p -> assertThat(p).containsExactly("render"))
        .anySatisfy(p -> assertThat(p).containsExactly("policy", "show"));
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("-V");
      CliRun r = CliRun.run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isZero();
      assertThat(r.out()).as(String.join(" ", args)).isEqualTo(version);
    }
  }

  @Test
  void everySubcommand_dashH_printsUsageAndExits0() {
    List<List<String>> paths = new ArrayList<>();
    collect(TrafficPolicyCommand.commandLine(), new ArrayList<>(), paths);

    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("-h");
      CliRun r = CliRun.run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isZero();
      assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: traffic-policy " + String.join(" ", path));
    }
  }

  private static void collect(CommandLine c, List<String> path, List<List<String>> out) {
    c.getSubcommands().forEach((name, sub) -> {
      if (name.equals("help")) {
        return;
      }
      List<String> p = new ArrayList<>(path);
      p.add(name);
      out.add(p);
      collect(sub, p, out);
    });
  }
}
