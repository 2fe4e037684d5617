package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.TrafficPolicyException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An input table (a CIDR location table, a latency table, an alias address table) has bad lines. Holds every bad
 * line, not just the first, and its message lists them one per line as {@code SOURCE:LINE: problem}.
 */
public final class InvalidTableException extends TrafficPolicyException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final ImmutableList<LineProblem> problems;

  /** An exception for {@code problems} (at least one) found in {@code source} (a file name, for messages). */
  public InvalidTableException(String source, List<LineProblem> problems) {
    super(format(checkNotNull(source, "source"), problems));
    this.source = source;
    this.problems = ImmutableList.copyOf(problems);
    checkArgument(!this.problems.isEmpty(), "an invalid table has at least one problem");
  }

  /** The table's name as given when it was read (usually its file name). */
  public String source() {
    return source;
  }

  /** Every problem, in line order. */
  public ImmutableList<LineProblem> problems() {
    return problems;
  }

  private static String format(String source, List<LineProblem> problems) {
    int n = problems.size();
    return source + ": " + n + (n == 1 ? " bad line" : " bad lines") + "\n"
        + problems.stream().map(p -> source + ":" + p).collect(Collectors.joining("\n"));
  }

  /**
   * One bad line.
   *
   * @param line the line number, counting from 1
   * @param message what is wrong, for people
   */
  public record LineProblem(int line, String message) {
    public LineProblem {
      checkArgument(line >= 1, "line must be at least 1 but was %s", line);
      checkNotNull(message, "message");
    }

    /** {@code LINE: message}. */
    @Override
    public String toString() {
      return line + ": " + message;
    }
  }
}
