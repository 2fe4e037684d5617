package io.github.trafficpolicy.dns;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * {@link Libc} through the final foreign-function API of Java 22 and later ({@code java.lang.foreign}). Compiled
 * from {@code src/main/java22} with {@code --release 22} when the build has a JDK 22+ compiler; only {@link
 * UdpIo} refers to this class, by name, and only on a Java 22+ runtime. Each call captures {@code errno} as the
 * API provides ({@link Linker.Option#captureCallState}) into a segment of the calling thread, so that nothing
 * the JVM does between the call and {@link #errno()} can change it.
 *
 * <p>The executable jar's manifest grants native access ({@code Enable-Native-Access: ALL-UNNAMED}); an
 * application embedding the library passes {@code --enable-native-access=ALL-UNNAMED} (without it Java 22 to 25
 * print a warning at the first binding and go on).
 */
final class ForeignLibc implements Libc {
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final ThreadLocal<MemorySegment> STATE =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

  private final MethodHandle socket;
  private final MethodHandle setsockopt;
  private final MethodHandle bind;
  private final MethodHandle getsockname;
  private final MethodHandle shutdown;
  private final MethodHandle close;
  private final MethodHandle recvmmsg;
  private final MethodHandle sendmmsg;
  private final MethodHandle schedSetscheduler;
  private final MethodHandle strerror;

  /** Binds every function. */
  ForeignLibc() {
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    ValueLayout i = JAVA_INT;
    ValueLayout p = JAVA_LONG; // a pointer, passed as its address (LP64)
    socket = handle(linker, libc, "socket", FunctionDescriptor.of(i, i, i, i));
    setsockopt = handle(linker, libc, "setsockopt", FunctionDescriptor.of(i, i, i, i, p, i));
    bind = handle(linker, libc, "bind", FunctionDescriptor.of(i, i, p, i));
    getsockname = handle(linker, libc, "getsockname", FunctionDescriptor.of(i, i, p, p));
    shutdown = handle(linker, libc, "shutdown", FunctionDescriptor.of(i, i, i));
    close = handle(linker, libc, "close", FunctionDescriptor.of(i, i));
    recvmmsg = handle(linker, libc, "recvmmsg", FunctionDescriptor.of(i, i, p, i, i, p));
    sendmmsg = handle(linker, libc, "sendmmsg", FunctionDescriptor.of(i, i, p, i, i));
    schedSetscheduler = handle(linker, libc, "sched_setscheduler", FunctionDescriptor.of(i, i, i, p));
    strerror = linker.downcallHandle(lookup(libc, "strerror"),
        FunctionDescriptor.of(ValueLayout.ADDRESS, JAVA_INT));
  }

  /** A handle taking the call-state segment first, then the C function's arguments. */
  private static MethodHandle handle(Linker linker, SymbolLookup libc, String name, FunctionDescriptor descriptor) {
    return linker.downcallHandle(lookup(libc, name), descriptor, Linker.Option.captureCallState("errno"));
  }

  private static MemorySegment lookup(SymbolLookup libc, String name) {
    return libc.find(name)
        .orElseThrow(() -> new UnsupportedOperationException("no " + name + " in the C library"));
  }

  @Override
  public String api() {
    return "java.lang.foreign";
  }

  @Override
  public int socket(int domain, int type, int protocol) {
    try {
      return (int) socket.invokeExact(STATE.get(), domain, type, protocol);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int setsockopt(int fd, int level, int option, long value, int length) {
    try {
      return (int) setsockopt.invokeExact(STATE.get(), fd, level, option, value, length);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int bind(int fd, long address, int length) {
    try {
      return (int) bind.invokeExact(STATE.get(), fd, address, length);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int getsockname(int fd, long address, long length) {
    try {
      return (int) getsockname.invokeExact(STATE.get(), fd, address, length);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int shutdown(int fd, int how) {
    try {
      return (int) shutdown.invokeExact(STATE.get(), fd, how);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int close(int fd) {
    try {
      return (int) close.invokeExact(STATE.get(), fd);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int recvmmsg(int fd, long headers, int n, int flags) {
    try {
      return (int) recvmmsg.invokeExact(STATE.get(), fd, headers, n, flags, 0L);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int sendmmsg(int fd, long headers, int n, int flags) {
    try {
      return (int) sendmmsg.invokeExact(STATE.get(), fd, headers, n, flags);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int schedSetscheduler(int pid, int policy, long param) {
    try {
      return (int) schedSetscheduler.invokeExact(STATE.get(), pid, policy, param);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int errno() {
    return (int) ERRNO.get(STATE.get(), 0L);
  }

  @Override
  public String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) strerror.invokeExact(errno);
      return s.reinterpret(Long.MAX_VALUE).getString(0) + " (errno " + errno + ")";
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  @Override
  public long address(ByteBuffer direct) {
    return MemorySegment.ofBuffer(direct).address();
  }
}
