package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
   * each direction, called through the JVM's foreign-function API. Available on Linux (x86-64, AArch64) under
   * a Java 22 or later runtime (the final {@code java.lang.foreign}; the build must have had a JDK 22+ compiler,
   * and the JVM should grant {@code --enable-native-access=ALL-UNNAMED}, which the executable jar's manifest
   * does) and under a Java 17 runtime started with {@code --add-modules jdk.incubator.foreign
   * --enable-native-access=ALL-UNNAMED} (the API as Java 17 incubates it). Not under Java 18 to 21, whose API is
   * neither; {@link #unavailableReason()} says what is missing. A query datagram longer than {@value #MMSG_MAX_QUERY} bytes is dropped
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

  /**
   * For {@link #MMSG} where it is available, the foreign-function API its system calls go through: {@code
   * java.lang.foreign} (Java 22+) or {@code jdk.incubator.foreign} (Java 17); else empty.
   */
  public Optional<String> foreignApi() {
    return this == MMSG && Mmsg.LIBC != null ? Optional.of(Mmsg.LIBC.api()) : Optional.empty();
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
        return MmsgUdpSocket.bind(checkNotNull(Mmsg.LIBC, "no reason, no binding"), address, reusePort);
      default:
        throw new AssertionError(this);
    }
  }

  /** True when several sockets of this I/O can share one address and port here. */
  boolean supportsReusePort() {
    return resolve() == MMSG || NioUdpSocket.supportsReusePort();
  }

  /**
   * The {@link Libc} binding of {@link #MMSG} (and of {@link UdpScheduling#BATCH}, which makes its system call
   * through it) for this JVM, or why there is none. The bindings are looked up by name, so that nothing else
   * links against a foreign-function API the runtime may not have.
   */
  static final class Mmsg {
    static final Optional<String> REASON;
    static final @Nullable Libc LIBC;

    static {
      String os = System.getProperty("os.name", "");
      String arch = System.getProperty("os.arch", "");
      int feature = Runtime.version().feature();
      boolean incubator = ModuleLayer.boot().findModule("jdk.incubator.foreign").isPresent();
      String reason = unavailable(os, arch, feature, incubator).orElse(null);
      Libc libc = null;
      if (reason == null) {
        try {
          libc = load(feature >= 22 ? "ForeignLibc" : "IncubatorLibc");
        } catch (ClassNotFoundException e) {
          reason = "this build was made without a JDK 22+ compiler, which the java.lang.foreign binding needs";
        } catch (IllegalCallerException e) {
          reason = "start the JVM with --enable-native-access=ALL-UNNAMED (" + e.getMessage() + ")";
        } catch (Throwable t) {
          reason = t.toString();
        }
      }
      REASON = Optional.ofNullable(reason);
      LIBC = reason == null ? libc : null;
    }

    /**
     * Why a JVM of this OS, architecture and Java feature release (with or without the incubating module
     * {@code jdk.incubator.foreign} in its boot layer) has no binding before one is even tried, or empty when the
     * binding of its release is to be loaded: {@code java.lang.foreign} on 22+, the incubator on 17. Java 18 to 21
     * have neither (the API changed in each and was final only in 22), so they serve UDP through NIO.
     */
    static Optional<String> unavailable(String os, String arch, int feature, boolean incubator) {
      if (!os.equals("Linux")) {
        return Optional.of("recvmmsg/sendmmsg are Linux system calls (this is " + os + ")");
      }
      if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
        return Optional.of("the system call structures are laid out for x86-64 and AArch64 only (this is " + arch
            + ")");
      }
      if (feature >= 22) {
        return Optional.empty();
      }
      if (feature != 17) {
        return Optional.of("Java " + feature + " has neither the foreign-function API incubated in Java 17 nor the"
            + " final one of Java 22+");
      }
      return incubator ? Optional.empty()
          : Optional.of("start the JVM with --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED");
    }

    /** Creates the named binding (which binds every function, failing if one cannot be). */
    private static Libc load(String simpleName) throws Throwable {
      Class<?> c = Class.forName(Mmsg.class.getPackageName() + "." + simpleName);
      return (Libc) MethodHandles.lookup().findConstructor(c, MethodType.methodType(void.class)).invoke();
    }
  }
}
