package io.github.trafficpolicy.dns.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code traffic-policy} command. Exit codes: 0 success, 1 the input is invalid or a check failed, 2 usage
 * error; {@code serve} stopped by a signal exits as the JVM does, 128 + the signal number (130 SIGINT, 143 SIGTERM).
 */
@Command(
    name = "traffic-policy",
    mixinStandardHelpOptions = true,
    versionProvider = TrafficPolicyCommand.Version.class,
    description = "Route 53 traffic policies: validate, evaluate, test, serve over DNS, manage versions, "
        + "serve the Route 53 API.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:invalid input or a failed check",
      "2:usage error",
      "130:serve stopped by Ctrl-C (SIGINT), after draining",
      "143:serve stopped by SIGTERM, after draining"
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      ServeCommand.class,
      ValidateCommand.class,
      HealthCommand.class,
      EvaluateCommand.class,
      TestCommand.class,
      PolicyCommand.class,
      RecordCommand.class,
      UsageCommand.class,
      RenderCommand.class,
      SimulateCommand.class,
      ApiCommand.class,
    })
public final class TrafficPolicyCommand implements Runnable {
  /** Exit code: success. */
  public static final int OK = 0;
  /** Exit code: the input is invalid or a check failed. */
  public static final int FAILED = 1;
  /** Exit code: usage error. */
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--log-level", paramLabel = "LEVEL", scope = ScopeType.INHERIT, defaultValue = "info",
      description = "Log events at this level and above, one line each on stderr: ${COMPLETION-CANDIDATES}"
          + " (default: ${DEFAULT-VALUE}).")
  CliLogging.Level logLevel;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** A configured command line: usage errors exit 2, other failures 1. */
  public static CommandLine commandLine() {
    TrafficPolicyCommand root = new TrafficPolicyCommand();
    CommandLine cl = new CommandLine(root);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // Every subcommand's -V prints the program's version (picocli gives subcommands none of their own).
    withVersion(cl);
    // Logging is configured once the arguments are parsed and before any command (and so any logger) runs.
    cl.setExecutionStrategy(parsed -> {
      CliLogging.configure(root.logLevel);
      return new CommandLine.RunLast().execute(parsed);
    });
    cl.setExitCodeExceptionMapper(e -> FAILED);
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      c.getErr().println(ex.getMessage());
      if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr())) {
        c.usage(c.getErr());
      }
      return USAGE;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      c.getErr().println("traffic-policy: " + ex.getMessage());
      return FAILED;
    });
    return cl;
  }

  private static void withVersion(CommandLine cl) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(new Version());
      withVersion(sub);
    }
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = TrafficPolicyCommand.class.getPackage().getImplementationVersion();
      return new String[] {"traffic-policy " + (v == null ? "(development build)" : v)};
    }
  }
}
