package io.github.trafficpolicy.dns;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * How an {@link AuthoritativeServer} reads and writes UDP datagrams. The answers are the same either way; the
 * choice is about CPU per query.
 */
public enum UdpIo {
  /** {@link #MMSG} where it is available, else {@link #NIO}. The default. */
  AUTO,

  /** {@code java.nio} datagram channels: portable, one system call per datagram in each direction. */
  NIO,

  /**
   * Linux {@code recvmmsg(2)}/{@code sendmmsg(2)}: up to {@value #MMSG_BATCH} datagrams per system call in
   * each direction, called through the foreign-function API that JDK 17 ships as the incubating module {@code
   * jdk.incubator.foreign}. Available on Linux (x86-64, AArch64) under a Java 17 runtime started with {@code
   * --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}; {@link #unavailableReason()}
   * says what is missing elsewhere. A query datagram longer than {@value #MMSG_MAX_QUERY} bytes is dropped
   * (and counted as dropped).
   */
  MMSG;

  /** Datagrams per {@code recvmmsg}/{@code sendmmsg} call with {@link #MMSG}. */
  public static final int MMSG_BATCH = 64;

  /** The longest query datagram {@link #MMSG} takes. */
  public static final int MMSG_MAX_QUERY = 4096;

  /** True when this I/O can be used here ({@link #AUTO} and {@link #NIO} always can). */
  public boolean isAvailable() {
    return unavailableReason().isEmpty();
  }

  /** Why this I/O cannot be used here, or empty when it can. */
  public Optional<String> unavailableReason() {
    return this == MMSG ? Mmsg.REASON : Optional.empty();
  }

  /** The I/O {@link #AUTO} stands for here; any other value is itself. */
  public UdpIo resolve() {
    return this != AUTO ? this : Mmsg.REASON.isEmpty() ? MMSG : NIO;
  }

  /** The name as written in configuration files: {@code auto}, {@code nio}, {@code mmsg}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** A resolved I/O's socket bound to {@code address}. */
  UdpSocket bind(InetSocketAddress address, boolean reusePort) throws IOException {
    switch (resolve()) {
      case NIO:
        return NioUdpSocket.bind(address, reusePort);
      case MMSG:
        if (Mmsg.REASON.isPresent()) {
          throw new IOException("UDP I/O mmsg is not available: " + Mmsg.REASON.get());
        }
        try {
          return (UdpSocket) Mmsg.BIND.invoke(address, reusePort);
        } catch (IOException | RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new IOException(t);
        }
      default:
        throw new AssertionError(this);
    }
  }

  /** True when several sockets of this I/O can share one address and port here. */
  boolean supportsReusePort() {
    return resolve() == MMSG || NioUdpSocket.supportsReusePort();
  }

  /**
   * The {@link #MMSG} implementation (and {@link UdpScheduling#BATCH}, which makes its system call through the
   * same class), looked up by name so that nothing else links against {@code jdk.incubator.foreign} (absent
   * unless added, and changed after Java 17).
   */
  static final class Mmsg {
    static final Optional<String> REASON;
    static final MethodHandle BIND;
    static final MethodHandle BATCH_SCHEDULING;

    static {
      String reason = null;
      MethodHandle bind = null;
      MethodHandle batch = null;
      String os = System.getProperty("os.name", "");
      String arch = System.getProperty("os.arch", "");
      if (!os.equals("Linux")) {
        reason = "recvmmsg/sendmmsg are Linux system calls (this is " + os + ")";
      } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
        reason = "the system call structures are laid out for x86-64 and AArch64 only (this is " + arch + ")";
      } else if (Runtime.version().feature() != 17) {
        reason = "it uses the foreign-function API as incubated in Java 17 (this is Java "
            + Runtime.version().feature() + ")";
      } else if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isEmpty()) {
        reason = "start the JVM with --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED";
      } else {
        try {
          Class<?> c = Class.forName("io.github.trafficpolicy.dns.MmsgUdpSocket");
          MethodHandles.Lookup lookup = MethodHandles.lookup();
          reason = (String) lookup.findStatic(c, "probe", MethodType.methodType(String.class)).invoke();
          bind = lookup.findStatic(c, "bind",
              MethodType.methodType(c, InetSocketAddress.class, boolean.class))
              .asType(MethodType.methodType(UdpSocket.class, InetSocketAddress.class, boolean.class));
          batch = lookup.findStatic(c, "batchScheduling", MethodType.methodType(String.class));
        } catch (ClassNotFoundException e) {
          reason = "this build was compiled without it (it needs a Java 17 compiler)";
        } catch (Throwable t) {
          reason = t.toString();
        }
      }
      REASON = Optional.ofNullable(reason);
      BIND = reason == null ? bind : null;
      BATCH_SCHEDULING = reason == null ? batch : null;
    }
  }
}
