package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;

/**
 * A {@link HealthSnapshot} resolved against one compiled policy: the status of each health check and alias target
 * the policy uses, by index, with {@link HealthStatus#UNKNOWN} already turned into healthy or unhealthy by the
 * settings. Built once per snapshot and cached by the compiled policy, so evaluation reads arrays only.
 */
final class HealthView {
  final HealthSnapshot snapshot;
  final HealthStatus[] checkStatus;
  final boolean[] checkOk;
  final HealthStatus[] targetStatus;
  final boolean[] targetOk;
  /**
   * Per rule of the policy: whether its group has a healthy record ({@link #YES}/{@link #NO}) when that cannot
   * depend on the client, else {@link #UNSET} (evaluation works it out per query). Filled by the compiled policy
   * before the view is published.
   */
  final byte[] groupHealthy;
  /** Per rule: whether it has any applicable record, when that cannot depend on the client, else {@link #UNSET}. */
  final byte[] groupData;

  static final byte UNSET = 0;
  static final byte NO = 1;
  static final byte YES = 2;

  HealthView(HealthSnapshot snapshot, HealthCheckId[] checks, EndpointId[] targets, HealthStatus unknownCountsAs) {
    this(snapshot, checks, targets, unknownCountsAs, 0);
  }

  HealthView(HealthSnapshot snapshot, HealthCheckId[] checks, EndpointId[] targets, HealthStatus unknownCountsAs,
      int rules) {
    this.groupHealthy = new byte[rules];
    this.groupData = new byte[rules];
    this.snapshot = snapshot;
    this.checkStatus = new HealthStatus[checks.length];
    this.checkOk = new boolean[checks.length];
    for (int i = 0; i < checks.length; i++) {
      HealthStatus s = snapshot.check(checks[i]);
      checkStatus[i] = s;
      checkOk[i] = ok(s, unknownCountsAs);
    }
    this.targetStatus = new HealthStatus[targets.length];
    this.targetOk = new boolean[targets.length];
    for (int i = 0; i < targets.length; i++) {
      HealthStatus s = snapshot.target(targets[i]);
      targetStatus[i] = s;
      targetOk[i] = ok(s, unknownCountsAs);
    }
  }

  private static boolean ok(HealthStatus s, HealthStatus unknownCountsAs) {
    return s == HealthStatus.HEALTHY || (s == HealthStatus.UNKNOWN && unknownCountsAs == HealthStatus.HEALTHY);
  }
}
