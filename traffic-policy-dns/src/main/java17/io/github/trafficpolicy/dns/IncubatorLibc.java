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
 * must be started with {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}). Compiled
 * from {@code src/main/java17}; only {@link UdpIo} refers to this class, by name, and only on a Java 17 runtime
 * that has the module: it must not be linked elsewhere. {@code errno} is read through {@code __errno_location()}
 * right after the failed call.
 */
final class IncubatorLibc extends BoundLibc {
  private final MethodHandle errnoLocation;
  private final MethodHandle strerror;

  /** Binds every function; throws {@link IllegalCallerException} without native access. */
  IncubatorLibc() {
    super(IncubatorLibc::downcall);
    CLinker c = CLinker.getInstance();
    SymbolLookup libc = CLinker.systemLookup();
    errnoLocation = c.downcallHandle(lookup(libc, "__errno_location"), MethodType.methodType(MemoryAddress.class),
        FunctionDescriptor.of(CLinker.C_POINTER));
    strerror = c.downcallHandle(lookup(libc, "strerror"), MethodType.methodType(MemoryAddress.class, int.class),
        FunctionDescriptor.of(CLinker.C_POINTER, CLinker.C_INT));
  }

  /** A handle of {@code type}: C {@code int} for {@code int}, C {@code long} (a pointer's address) for {@code long}. */
  private static MethodHandle downcall(String name, MethodType type) {
    MemoryLayout[] args = new MemoryLayout[type.parameterCount()];
    for (int k = 0; k < args.length; k++) {
      args[k] = type.parameterType(k) == int.class ? CLinker.C_INT : CLinker.C_LONG;
    }
    return CLinker.getInstance().downcallHandle(lookup(CLinker.systemLookup(), name), type,
        FunctionDescriptor.of(CLinker.C_INT, args));
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
  public int errno() {
    try {
      MemoryAddress where = (MemoryAddress) errnoLocation.invokeExact();
      return MemoryAccess.getIntAtOffset(MemorySegment.globalNativeSegment(), where.toRawLongValue());
    } catch (Throwable t) {
      throw failed("__errno_location", t);
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
