package io.github.trafficpolicy.engine;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.stream.Collectors;

/** Why an answer is what it is: each rule entered, each entry skipped and why, and each choice, in order. */
public final class Trace {
  private static final Trace EMPTY = new Trace(ImmutableList.of());

  private final ImmutableList<TraceStep> steps;

  private Trace(ImmutableList<TraceStep> steps) {
    this.steps = steps;
  }

  /** The trace of an evaluation that did not record one. */
  public static Trace empty() {
    return EMPTY;
  }

  /** A trace of these steps. */
  public static Trace of(List<TraceStep> steps) {
    return steps.isEmpty() ? EMPTY : new Trace(ImmutableList.copyOf(steps));
  }

  /** The steps in order. */
  public ImmutableList<TraceStep> steps() {
    return steps;
  }

  /** One line per step, indented by depth. */
  public ImmutableList<String> lines() {
    return steps.stream().map(TraceStep::toString).collect(ImmutableList.toImmutableList());
  }

  /** One line per step, indented by depth. */
  @Override
  public String toString() {
    return steps.stream().map(TraceStep::toString).collect(Collectors.joining("\n"));
  }
}
