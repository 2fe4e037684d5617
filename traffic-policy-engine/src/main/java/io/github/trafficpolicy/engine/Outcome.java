package io.github.trafficpolicy.engine;

/** What an evaluation produced. */
public enum Outcome {
  /** One or more records. */
  ANSWER,
  /** The name exists but the policy has nothing for this client (e.g. a geo rule without a default): NODATA. */
  NO_DATA
}
