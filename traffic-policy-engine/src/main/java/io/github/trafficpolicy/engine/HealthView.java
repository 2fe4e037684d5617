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
  /** Each alias target's status: the snapshot's combined with its resolver's ({@link #combine}). */
  final HealthStatus[] targetStatus;
  /** Each alias target's status as its resolver alone sees it. */
  final HealthStatus[] targetResolverStatus;
  /** The alias resolver's {@link AliasResolver#generation()} when this view was made. */
  final long aliasGeneration;
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
    this(snapshot, checks, targets, new AliasResolver.Target[0], 0, unknownCountsAs, 0);
  }

  /**
   * {@code aliasTargets}: the resolver's handle of each target (same indices as {@code targets}; none when the
   * policy has no alias endpoint), read once here; {@code aliasGeneration}: the resolver's generation they were
   * read at.
   */
  HealthView(HealthSnapshot snapshot, HealthCheckId[] checks, EndpointId[] targets,
      AliasResolver.Target[] aliasTargets, long aliasGeneration, HealthStatus unknownCountsAs, int rules) {
    this.groupHealthy = new byte[rules];
    this.groupData = new byte[rules];
    this.snapshot = snapshot;
    this.aliasGeneration = aliasGeneration;
    this.checkStatus = new HealthStatus[checks.length];
    this.checkOk = new boolean[checks.length];
    for (int i = 0; i < checks.length; i++) {
      HealthStatus s = snapshot.check(checks[i]);
      checkStatus[i] = s;
      checkOk[i] = ok(s, unknownCountsAs);
    }
    this.targetStatus = new HealthStatus[targets.length];
    this.targetResolverStatus = new HealthStatus[targets.length];
    this.targetOk = new boolean[targets.length];
    for (int i = 0; i < targets.length; i++) {
      HealthStatus own = i < aliasTargets.length ? aliasTargets[i].health() : HealthStatus.UNKNOWN;
      HealthStatus s = combine(snapshot.target(targets[i]), own);
      targetResolverStatus[i] = own;
      targetStatus[i] = s;
      targetOk[i] = ok(s, unknownCountsAs);
    }
  }

  /**
   * The health of an alias target from what the snapshot says of it and what its resolver says: unhealthy when
   * either says so (a target with nothing to answer with cannot be healthy, whatever a feed says), else healthy
   * when either says so, else unknown.
   */
  static HealthStatus combine(HealthStatus snapshot, HealthStatus resolver) {
    if (snapshot == HealthStatus.UNHEALTHY || resolver == HealthStatus.UNHEALTHY) {
      return HealthStatus.UNHEALTHY;
    }
    return snapshot == HealthStatus.HEALTHY || resolver == HealthStatus.HEALTHY ? HealthStatus.HEALTHY
        : HealthStatus.UNKNOWN;
  }

  private static boolean ok(HealthStatus s, HealthStatus unknownCountsAs) {
    return s == HealthStatus.HEALTHY || (s == HealthStatus.UNKNOWN && unknownCountsAs == HealthStatus.HEALTHY);
  }
}
