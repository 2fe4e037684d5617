package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A document is invalid: Route 53's {@code InvalidTrafficPolicyDocument}. Holds every problem found (errors and
 * warnings), and its message lists them one per line.
 */
public final class InvalidPolicyException extends TrafficPolicyException {
  private static final long serialVersionUID = 1L;

  private final ImmutableList<Problem> problems;

  public InvalidPolicyException(List<Problem> problems) {
    super(format(problems));
    this.problems = ImmutableList.copyOf(problems);
    checkArgument(this.problems.stream().anyMatch(Problem::isError), "an invalid policy has at least one error");
  }

  /** Every problem, errors and warnings, in document order. */
  public ImmutableList<Problem> problems() {
    return problems;
  }

  /** Only the errors. */
  public ImmutableList<Problem> errors() {
    return problems.stream().filter(Problem::isError).collect(ImmutableList.toImmutableList());
  }

  private static String format(List<Problem> problems) {
    long errors = problems.stream().filter(Problem::isError).count();
    return "InvalidTrafficPolicyDocument: " + errors + (errors == 1 ? " error" : " errors") + "\n"
        + problems.stream().map(Problem::toString).collect(Collectors.joining("\n"));
  }
}
