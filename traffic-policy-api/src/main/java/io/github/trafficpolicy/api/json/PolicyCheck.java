package io.github.trafficpolicy.api.json;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Problem;
import java.util.Optional;

/**
 * The outcome of {@link PolicyDocumentJson#check(String)}: every problem found (errors and warnings, in document
 * order) and, when there is no error, the document.
 */
public record PolicyCheck(ImmutableList<Problem> problems, Optional<PolicyDocument> document) {
  public PolicyCheck {
    problems = ImmutableList.copyOf(problems);
    checkNotNull(document, "document (use Optional.empty())");
    boolean hasErrors = problems.stream().anyMatch(Problem::isError);
    checkArgument(hasErrors != document.isPresent(),
        "a check has a document exactly when it has no errors (errors: %s, document present: %s)", hasErrors,
        document.isPresent());
  }

  /** True when the document has no errors (it may have warnings). */
  public boolean isValid() {
    return document.isPresent();
  }

  /** Only the errors. */
  public ImmutableList<Problem> errors() {
    return problems.stream().filter(Problem::isError).collect(ImmutableList.toImmutableList());
  }

  /** Only the warnings. */
  public ImmutableList<Problem> warnings() {
    return problems.stream().filter(p -> !p.isError()).collect(ImmutableList.toImmutableList());
  }
}
