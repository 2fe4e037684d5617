package io.github.trafficpolicy.dns;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemoryLayout;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.SymbolLookup;

/**
 * {@link Libc} through the foreign-function API as Java 17 incubates it ({@code jdk.incubator.foreign}; the JVM
 * must be started with {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}). Only
 * {@link UdpIo} refers to this class, by name, and only on a Java 17 runtime that has the module: it must not be
 * linked elsewhere. {@code errno} is read through {@code __errno_location()} right after the failed call.
 */
final class IncubatorLibc implements Libc {
  private final MethodHandle socket;
  private final MethodHandle setsockopt;
  private final MethodHandle bind;
  private final MethodHandle getsockname;
  private final MethodHandle shutdown;
  private final MethodHandle close;
  private final MethodHandle recvmmsg;
  private final MethodHandle sendmmsg;
  private final MethodHandle schedSetscheduler;
  private final MethodHandle errnoLocation;
  private final MethodHandle strerror;

  /** Binds every function; throws {@link IllegalCallerException} without native access. */
  IncubatorLibc() {
    CLinker c = CLinker.getInstance();
    SymbolLookup libc = CLinker.systemLookup();
    MemoryLayout i = CLinker.C_INT;
    MemoryLayout p = CLinker.C_LONG; // a pointer, passed as its address (LP64)
    socket = handle(c, libc, "socket", FunctionDescriptor.of(i, i, i, i));
    setsockopt = handle(c, libc, "setsockopt", FunctionDescriptor.of(i, i, i, i, p, i));
    bind = handle(c, libc, "bind", FunctionDescriptor.of(i, i, p, i));
    getsockname = handle(c, libc, "getsockname", FunctionDescriptor.of(i, i, p, p));
    shutdown = handle(c, libc, "shutdown", FunctionDescriptor.of(i, i, i));
    close = handle(c, libc, "close", FunctionDescriptor.of(i, i));
    recvmmsg = handle(c, libc, "recvmmsg", FunctionDescriptor.of(i, i, p, i, i, p));
    sendmmsg = handle(c, libc, "sendmmsg", FunctionDescriptor.of(i, i, p, i, i));
    schedSetscheduler = handle(c, libc, "sched_setscheduler", FunctionDescriptor.of(i, i, i, p));
    errnoLocation = c.downcallHandle(lookup(libc, "__errno_location"), MethodType.methodType(MemoryAddress.class),
        FunctionDescriptor.of(CLinker.C_POINTER));
    strerror = c.downcallHandle(lookup(libc, "strerror"), MethodType.methodType(MemoryAddress.class, int.class),
        FunctionDescriptor.of(CLinker.C_POINTER, CLinker.C_INT));
  }

  /** A handle whose Java types follow the descriptor: {@code int} for C ints, {@code long} for the rest. */
  private static MethodHandle handle(CLinker c, SymbolLookup libc, String name, FunctionDescriptor descriptor) {
    MethodType type = MethodType.methodType(int.class);
    for (MemoryLayout arg : descriptor.argumentLayouts()) {
      type = type.appendParameterTypes(arg.equals(CLinker.C_INT) ? int.class : long.class);
    }
    return c.downcallHandle(lookup(libc, name), type, descriptor);
  }

  private static MemoryAddress lookup(SymbolLookup libc, String name) {
    return libc.lookup(name)
        .orElseThrow(() -> new UnsupportedOperationException("no " + name + " in the C library"));
  }

  @Override
  public String api() {
    return "jdk.incubator.foreign";
  }

  @Override
  public int socket(int domain, int type, int protocol) {
    try {
      return (int) socket.invokeExact(domain, type, protocol);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int setsockopt(int fd, int level, int option, long value, int length) {
    try {
      return (int) setsockopt.invokeExact(fd, level, option, value, length);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int bind(int fd, long address, int length) {
    try {
      return (int) bind.invokeExact(fd, address, length);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int getsockname(int fd, long address, long length) {
    try {
      return (int) getsockname.invokeExact(fd, address, length);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int shutdown(int fd, int how) {
    try {
      return (int) shutdown.invokeExact(fd, how);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int close(int fd) {
    try {
      return (int) close.invokeExact(fd);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int recvmmsg(int fd, long headers, int n, int flags) {
    try {
      return (int) recvmmsg.invokeExact(fd, headers, n, flags, 0L);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int sendmmsg(int fd, long headers, int n, int flags) {
    try {
      return (int) sendmmsg.invokeExact(fd, headers, n, flags);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int schedSetscheduler(int pid, int policy, long param) {
    try {
      return (int) schedSetscheduler.invokeExact(pid, policy, param);
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public int errno() {
    try {
      MemoryAddress where = (MemoryAddress) errnoLocation.invokeExact();
      return MemoryAccess.getIntAtOffset(MemorySegment.globalNativeSegment(), where.toRawLongValue());
    } catch (Throwable t) {
      return 0;
    }
  }

  @Override
  public String strerror(int errno) {
    try {
      return CLinker.toJavaString((MemoryAddress) strerror.invokeExact(errno)) + " (errno " + errno + ")";
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  @Override
  public long address(ByteBuffer direct) {
    return MemorySegment.ofByteBuffer(direct).address().toRawLongValue();
  }
}
