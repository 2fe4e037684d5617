package io.github.trafficpolicy.dns;

import java.nio.ByteBuffer;

/**
 * The Linux C library calls behind {@link UdpIo#MMSG} and {@link UdpScheduling#BATCH}, bound through a
 * foreign-function API: {@link IncubatorLibc} through Java 17's incubating {@code jdk.incubator.foreign},
 * {@code ForeignLibc} (compiled separately, with {@code --release 22}) through the final {@code
 * java.lang.foreign} of Java 22 and later. {@link UdpIo} picks the one the running JVM has.
 *
 * <p>Pointers are passed as {@code long} native addresses (on LP64 Linux a pointer argument is passed as a
 * 64-bit integer), always of direct {@link ByteBuffer}s that the caller keeps reachable for the call: no
 * foreign-memory type appears outside the two bindings. Each call returns what the C function returns;
 * {@code -1} also stands for a call that could not be made at all.
 */
interface Libc {
  /** The foreign-function API this binding calls through, as the startup line names it. */
  String api();

  int socket(int domain, int type, int protocol);

  int setsockopt(int fd, int level, int option, long value, int length);

  int bind(int fd, long address, int length);

  int getsockname(int fd, long address, long length);

  int shutdown(int fd, int how);

  int close(int fd);

  /** {@code recvmmsg(fd, headers, n, flags, NULL)}. */
  int recvmmsg(int fd, long headers, int n, int flags);

  int sendmmsg(int fd, long headers, int n, int flags);

  int schedSetscheduler(int pid, int policy, long param);

  /** The {@code errno} the calling thread's last call through this binding left. */
  int errno();

  /** {@code strerror(errno)} with the number, for messages. */
  String strerror(int errno);

  /** The native address of a direct buffer's first byte. */
  long address(ByteBuffer direct);
}
