package io.github.trafficpolicy.dns.cli;

import io.github.trafficpolicy.engine.testing.PolicyTestFile;
import io.github.trafficpolicy.engine.testing.PolicyTestRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code traffic-policy test}: runs policy test files ({@code *.expect.json}) and reports every failing case with
 * what was expected, what the policy answered and the trace, then {@code N passed, M failed}.
 */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = {
      "Run policy test files: a policy document plus client situations and the answers expected for them.",
      "Each failing case is printed with the expected and actual answers and the trace; the last line is "
          + "'N passed, M failed'. A file that cannot be read counts as one failed case."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every case passed", "1:a case failed or a file could not be read", "2:usage error"})
final class TestCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy test files (*.expect.json).")
  List<Path> files;

  @Option(names = {"-v", "--verbose"}, description = "Also print a PASS line for every passing case.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PolicyTestRunner runner = PolicyTestRunner.withDefaults();
    int passed = 0;
    int failed = 0;
    for (Path file : files) {
      PolicyTestRunner.FileResult result;
      try {
        result = runner.run(PolicyTestFile.read(file));
      } catch (RuntimeException e) {
        out.println("FAIL " + file + " (cannot be read)");
        out.println("  - " + e.getMessage());
        failed++;
        continue;
      }
      for (PolicyTestRunner.CaseResult c : result.cases()) {
        if (!c.passed() || verbose) {
          out.println(c);
        }
      }
      passed += result.passed();
      failed += result.failed();
    }
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    return failed == 0 ? TrafficPolicyCommand.OK : TrafficPolicyCommand.FAILED;
  }
}
