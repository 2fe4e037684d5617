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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
final class ForeignLibc extends BoundLibc {
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final ThreadLocal<MemorySegment> STATE =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));
  /** () -> this thread's call-state segment, folded in as every downcall's first argument. */
  private static final MethodHandle STATE_OF_THREAD;

  static {
    try {
      STATE_OF_THREAD = MethodHandles.lookup()
          .findVirtual(ThreadLocal.class, "get", MethodType.methodType(Object.class)).bindTo(STATE)
          .asType(MethodType.methodType(MemorySegment.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final MethodHandle strerror;

  /** Binds every function. */
  ForeignLibc() {
    super(ForeignLibc::downcall);
    Linker linker = Linker.nativeLinker();
    strerror = linker.downcallHandle(lookup(linker.defaultLookup(), "strerror"),
        FunctionDescriptor.of(ValueLayout.ADDRESS, JAVA_INT));
  }

  /**
   * A handle of {@code type} ({@code int}: C int; {@code long}: a pointer's address) capturing {@code errno} into
   * the calling thread's segment.
   */
  private static MethodHandle downcall(String name, MethodType type) {
    MemoryLayout[] args = new MemoryLayout[type.parameterCount()];
    for (int k = 0; k < args.length; k++) {
      args[k] = type.parameterType(k) == int.class ? JAVA_INT : JAVA_LONG;
    }
    Linker linker = Linker.nativeLinker();
    MethodHandle h = linker.downcallHandle(lookup(linker.defaultLookup(), name), FunctionDescriptor.of(JAVA_INT, args),
        Linker.Option.captureCallState("errno"));
    return MethodHandles.foldArguments(h, 0, STATE_OF_THREAD);
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
