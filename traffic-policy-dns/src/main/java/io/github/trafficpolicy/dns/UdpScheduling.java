package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;
import java.util.Optional;

/**
 * How the operating system schedules an {@link AuthoritativeServer}'s UDP receiver threads. The answers are
 * the same either way; the choice is about throughput when the server shares its CPUs with other busy threads.
 */
public enum UdpScheduling {
  /** The platform's default policy ({@code SCHED_OTHER} on Linux). The default. */
  NORMAL,

  /**
   * Linux {@code SCHED_BATCH}: a receiver thread woken by a datagram does not preempt the thread running on its
   * CPU, but waits for it to use up its time slice or block (on an idle CPU it runs at once). Under load the
   * receiver then finds several datagrams queued and takes them in one {@code recvmmsg}, with fewer context
   * switches and system calls per query; when every CPU is busy, a query may wait up to a time slice (a few
   * milliseconds) longer. Needs no privileges. Available where {@link UdpIo#MMSG} is (the call goes through the
   * same foreign-function binding); {@link #unavailableReason()} says what is missing elsewhere.
   */
  BATCH;

  /** True when this policy can be used here ({@link #NORMAL} always can). */
  public boolean isAvailable() {
    return unavailableReason().isEmpty();
  }

  /** Why this policy cannot be used here, or empty when it can. */
  public Optional<String> unavailableReason() {
    return this == BATCH ? UdpIo.MMSG.unavailableReason() : Optional.empty();
  }

  /** The name as written in configuration files: {@code normal}, {@code batch}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Applies this policy to the calling thread; empty when done (or nothing to do), else why it could not be
   * (for example a container's system-call filter refusing it).
   */
  Optional<String> applyToCurrentThread() {
    if (this == NORMAL) {
      return Optional.empty();
    }
    Optional<String> reason = unavailableReason();
    if (reason.isPresent()) {
      return reason;
    }
    try {
      return Optional.ofNullable(MmsgUdpSocket.batchScheduling(checkNotNull(UdpIo.Mmsg.LIBC, "available")));
    } catch (RuntimeException | LinkageError e) {
      return Optional.of(e.toString());
    }
  }
}
