package io.github.trafficpolicy.engine;

/** Why an entry cannot be chosen in the first pass of a rule (pick, check, re-pick), or {@link #NO}. */
enum Unusable {
  /** It can be chosen. */
  NO,
  /** Its health check is unhealthy (or unknown and counted unhealthy). */
  CHECK_UNHEALTHY,
  /** With EvaluateTargetHealth, its endpoint's alias target is unhealthy. */
  TARGET_UNHEALTHY,
  /** With EvaluateTargetHealth, its child rule has no healthy record for the client. */
  BRANCH_UNHEALTHY,
  /** Its child rule has no record for the client at all. */
  BRANCH_NO_DATA
}
