package io.github.trafficpolicy.dns;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;

/**
 * A {@link Libc} whose calls go through downcall method handles made by a foreign-function binding: the binding
 * ({@code IncubatorLibc} for Java 17, {@code ForeignLibc} for Java 22+) only makes the handles, each of the type
 * its C function has here ({@code int} for C ints, {@code long} for pointers, returning {@code int}); the calls are
 * the same for both. A C function's failure is its return value (-1, with {@link #errno}); a downcall that cannot be
 * made at all (a binding error) throws, so that the socket loop's supervisor logs and counts it rather than reading a
 * made-up -1 and a stale errno.
 */
abstract class BoundLibc implements Libc {
  /** Makes the downcall handle of a C function of the C library, of {@code type}. */
  @FunctionalInterface
  interface Downcalls {
    MethodHandle downcall(String name, MethodType type);
  }

  private final MethodHandle socket;
  private final MethodHandle setsockopt;
  private final MethodHandle bind;
  private final MethodHandle getsockname;
  private final MethodHandle shutdown;
  private final MethodHandle close;
  private final MethodHandle recvmmsg;
  private final MethodHandle sendmmsg;
  private final MethodHandle schedSetscheduler;

  /** Binds every function (throwing whatever the binding throws when one cannot be bound). */
  BoundLibc(Downcalls d) {
    Class<?> i = int.class;
    Class<?> p = long.class;
    socket = d.downcall("socket", MethodType.methodType(i, i, i, i));
    setsockopt = d.downcall("setsockopt", MethodType.methodType(i, i, i, i, p, i));
    bind = d.downcall("bind", MethodType.methodType(i, i, p, i));
    getsockname = d.downcall("getsockname", MethodType.methodType(i, i, p, p));
    shutdown = d.downcall("shutdown", MethodType.methodType(i, i, i));
    close = d.downcall("close", MethodType.methodType(i, i));
    recvmmsg = d.downcall("recvmmsg", MethodType.methodType(i, i, p, i, i, p));
    sendmmsg = d.downcall("sendmmsg", MethodType.methodType(i, i, p, i, i));
    schedSetscheduler = d.downcall("sched_setscheduler", MethodType.methodType(i, i, i, p));
  }

  @Override
  public int socket(int domain, int type, int protocol) {
    try {
      return (int) socket.invokeExact(domain, type, protocol);
    } catch (Throwable t) {
      throw failed("socket", t);
    }
  }

  @Override
  public int setsockopt(int fd, int level, int option, long value, int length) {
    try {
      return (int) setsockopt.invokeExact(fd, level, option, value, length);
    } catch (Throwable t) {
      throw failed("setsockopt", t);
    }
  }

  @Override
  public int bind(int fd, long address, int length) {
    try {
      return (int) bind.invokeExact(fd, address, length);
    } catch (Throwable t) {
      throw failed("bind", t);
    }
  }

  @Override
  public int getsockname(int fd, long address, long length) {
    try {
      return (int) getsockname.invokeExact(fd, address, length);
    } catch (Throwable t) {
      throw failed("getsockname", t);
    }
  }

  @Override
  public int shutdown(int fd, int how) {
    try {
      return (int) shutdown.invokeExact(fd, how);
    } catch (Throwable t) {
      throw failed("shutdown", t);
    }
  }

  @Override
  public int close(int fd) {
    try {
      return (int) close.invokeExact(fd);
    } catch (Throwable t) {
      throw failed("close", t);
    }
  }

  @Override
  public int recvmmsg(int fd, long headers, int n, int flags) {
    try {
      return (int) recvmmsg.invokeExact(fd, headers, n, flags, 0L);
    } catch (Throwable t) {
      throw failed("recvmmsg", t);
    }
  }

  @Override
  public int sendmmsg(int fd, long headers, int n, int flags) {
    try {
      return (int) sendmmsg.invokeExact(fd, headers, n, flags);
    } catch (Throwable t) {
      throw failed("sendmmsg", t);
    }
  }

  @Override
  public int schedSetscheduler(int pid, int policy, long param) {
    try {
      return (int) schedSetscheduler.invokeExact(pid, policy, param);
    } catch (Throwable t) {
      throw failed("sched_setscheduler", t);
    }
  }

  /** A downcall that threw: an error as it is, anything else wrapped (a downcall throws nothing checked). */
  static RuntimeException failed(String function, Throwable t) {
    if (t instanceof Error e) {
      throw e;
    }
    return t instanceof RuntimeException r ? r : new IllegalStateException(function + ": the downcall failed", t);
  }
}
