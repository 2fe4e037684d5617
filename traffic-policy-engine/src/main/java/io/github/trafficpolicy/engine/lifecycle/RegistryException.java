package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.TrafficPolicyException;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A registry operation failed; {@link #error()} says why in Route 53's terms. The message starts with the error's
 * Route 53 name ({@code "NoSuchTrafficPolicy: ..."}); for {@link RegistryError#INVALID_TRAFFIC_POLICY_DOCUMENT}
 * it lists every problem of the document, one per line. A failed operation changes nothing.
 */
public final class RegistryException extends TrafficPolicyException {
  private static final long serialVersionUID = 1L;

  private final RegistryError error;
  private final ImmutableList<Problem> problems;

  /** An error with a message for people (the Route 53 name is prepended). */
  public RegistryException(RegistryError error, String message) {
    this(error, message, ImmutableList.of(), null);
  }

  /** An error caused by another exception. */
  public RegistryException(RegistryError error, String message, @Nullable Throwable cause) {
    this(error, message, ImmutableList.of(), cause);
  }

  private RegistryException(RegistryError error, String message, List<Problem> problems, @Nullable Throwable cause) {
    super(checkNotNull(error, "error").awsName() + ": " + checkNotNull(message, "message") + list(problems), cause);
    this.error = error;
    this.problems = ImmutableList.copyOf(problems);
  }

  /** {@link RegistryError#INVALID_TRAFFIC_POLICY_DOCUMENT} with every problem of the document. */
  public static RegistryException invalidDocument(String message, List<Problem> problems) {
    checkArgument(!problems.isEmpty(), "an invalid document has at least one problem");
    return new RegistryException(RegistryError.INVALID_TRAFFIC_POLICY_DOCUMENT, message, problems, null);
  }

  /** Why the operation failed. */
  public RegistryError error() {
    return error;
  }

  /** The document's problems (errors and warnings) for {@code InvalidTrafficPolicyDocument}; otherwise empty. */
  public ImmutableList<Problem> problems() {
    return problems;
  }

  private static String list(List<Problem> problems) {
    return problems.isEmpty()
        ? ""
        : problems.stream().map(p -> "\n  " + p).collect(Collectors.joining());
  }
}
