package io.github.trafficpolicy.dns.cli;

import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.api.json.PolicyCheck;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.api.json.PolicyDocumentReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code traffic-policy validate FILE...}: checks Route 53 traffic policy documents and prints every problem as
 * {@code FILE: PATH: CODE: message} (warnings as {@code FILE: PATH: warning CODE: message}), and
 * {@code FILE: OK} for each valid file. Exit code 0 when every file is valid (warnings allowed), 1 when any file
 * is invalid or cannot be read, 2 for a usage error.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Validates Route 53 traffic policy documents (JSON).",
      "Prints FILE: PATH: CODE: message for every problem (PATH is a JSON pointer; warnings say 'warning CODE')"
          + " and FILE: OK for each valid file. '-' reads standard input.",
      "Exit codes: 0 every file is valid (warnings allowed), 1 a file is invalid or unreadable, 2 usage error."
    })
final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy documents to validate ('-' for stdin).")
  List<Path> files;

  @Option(
      names = "--lenient-coordinates",
      description = "Truncate latitudes/longitudes with more than two decimals (a warning) instead of rejecting them.")
  boolean lenientCoordinates;

  @Option(
      names = "--unknown-members-as-warnings",
      description = "Report members the format does not define as warnings instead of errors.")
  boolean unknownMembersAsWarnings;

  @Option(names = {"-q", "--quiet"}, description = "Print errors only: no warnings and no OK lines.")
  boolean quiet;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PolicyDocumentReader reader = PolicyDocumentJson.reader(PolicyDocumentJson.Options.defaults()
        .withLenientCoordinates(lenientCoordinates)
        .withUnknownMembersAsWarnings(unknownMembersAsWarnings));
    boolean allValid = true;
    for (Path file : files) {
      String name = file.toString();
      byte[] bytes;
      try {
        bytes = name.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(file);
      } catch (IOException | RuntimeException e) {
        err.println(name + ": cannot read: " + IoMessages.describe(e));
        allValid = false;
        continue;
      }
      PolicyCheck check = reader.check(new ByteArrayInputStream(bytes));
      for (Problem p : check.problems()) {
        if (p.isError() || !quiet) {
          out.println(name + ": " + p);
        }
      }
      if (check.isValid()) {
        if (!quiet) {
          int warnings = check.warnings().size();
          out.println(name + ": OK" + (warnings == 0 ? "" : " (" + warnings + (warnings == 1 ? " warning)"
              : " warnings)")));
        }
      } else {
        allValid = false;
      }
    }
    out.flush();
    err.flush();
    return allValid ? TrafficPolicyCommand.OK : TrafficPolicyCommand.FAILED;
  }
}
