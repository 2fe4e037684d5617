package io.github.trafficpolicy.dns;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link UdpIo#MMSG}: a UDP socket made and served with Linux system calls through a {@link Libc} binding (Java
 * 17's incubating foreign-function API or the final one of Java 22+). One {@code recvmmsg(2)} takes up to {@value
 * UdpIo#MMSG_BATCH} queued datagrams ({@code MSG_WAITFORONE}: it waits for the first only); their replies go out
 * in one {@code sendmmsg(2)}, each to the address its query came from (the reply header points at the very
 * {@code sockaddr} the kernel filled in).
 *
 * <p>Structures are laid out for LP64 Linux (x86-64 and AArch64 agree): {@code struct mmsghdr} is 64 bytes
 * ({@code msghdr} 56 + {@code msg_len} + padding), {@code struct iovec} 16, {@code sockaddr_in6} 28. All of
 * them live in direct {@link ByteBuffer}s (plain, unscoped memory access) whose addresses the kernel is given.
 *
 * <p>Closing: {@link #close()} calls {@code shutdown(SHUT_RD)}, which wakes a thread waiting in {@code
 * recvmmsg} on Linux even for an unconnected UDP socket; the serving thread then closes the descriptor itself,
 * so a descriptor is never closed under a thread still using it. A receive timeout ({@code SO_RCVTIMEO},
 * {@value #WAKE_MILLIS} ms) bounds the wait should the wake-up be missed.
 */
final class MmsgUdpSocket extends UdpSocket {
  private static final Logger LOG = LoggerFactory.getLogger(MmsgUdpSocket.class);

  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_SNDBUF = 7;
  private static final int SO_RCVBUF = 8;
  private static final int SO_REUSEPORT = 15;
  private static final int SO_RCVTIMEO = 20;
  private static final int IPPROTO_IPV6 = 41;
  private static final int IPV6_V6ONLY = 26;
  private static final int MSG_TRUNC = 0x20;
  private static final int MSG_WAITFORONE = 0x10000;
  private static final int SHUT_RD = 0;
  private static final int EADDRINUSE = 98;
  private static final int EADDRNOTAVAIL = 99;
  private static final int EACCES = 13;
  private static final int EAGAIN = 11;
  private static final int EINTR = 4;
  private static final int SCHED_BATCH = 3;

  private static final int MMSGHDR = 64;
  private static final int MSG_NAME = 0;
  private static final int MSG_NAMELEN = 8;
  private static final int MSG_IOV = 16;
  private static final int MSG_IOVLEN = 24;
  private static final int MSG_FLAGS = 48;
  private static final int MSG_LEN = 56;
  private static final int IOVEC = 16;
  private static final int SOCKADDR = 32;
  private static final int SOCKADDR_IN6_LEN = 28;
  private static final int SOCKADDR_IN_LEN = 16;

  private static final int BATCH = UdpIo.MMSG_BATCH;
  private static final int IN_SLOT = UdpIo.MMSG_MAX_QUERY;
  static final int WAKE_MILLIS = 500;

  private final Libc libc;
  private final int fd;
  private final InetSocketAddress local;
  private final Object lock = new Object();
  private volatile boolean closed;
  private boolean serving;
  private boolean released;

  private MmsgUdpSocket(Libc libc, int fd, InetSocketAddress local) {
    this.libc = libc;
    this.fd = fd;
    this.local = local;
  }

  /**
   * Puts the calling thread under Linux's {@code SCHED_BATCH} policy ({@code sched_setscheduler(0, SCHED_BATCH,
   * {0})}: the calling thread only, for a thread of a multi-threaded process); null when done, else why not.
   * Called once per thread, by {@link UdpScheduling}.
   */
  static @Nullable String batchScheduling(Libc libc) {
    ByteBuffer param = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 0);
    try {
      if (libc.schedSetscheduler(0, SCHED_BATCH, libc.address(param)) != 0) {
        return "sched_setscheduler(SCHED_BATCH): " + libc.strerror(libc.errno());
      }
      return null;
    } finally {
      java.lang.ref.Reference.reachabilityFence(param);
    }
  }

  /** A socket bound to {@code address}. */
  static MmsgUdpSocket bind(Libc libc, InetSocketAddress address, boolean reusePort) throws IOException {
    boolean v6 = address.getAddress() instanceof Inet6Address;
    int fd = libc.socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw error(libc, "socket");
    }
    ByteBuffer value = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    ByteBuffer sa = ByteBuffer.allocateDirect(SOCKADDR + 4).order(ByteOrder.nativeOrder());
    try {
      long valueAddress = libc.address(value);
      if (reusePort) {
        setOption(libc, fd, value, SOL_SOCKET, SO_REUSEPORT, 1, true);
      }
      setOption(libc, fd, value, SOL_SOCKET, SO_RCVBUF, AuthoritativeServer.SOCKET_BUFFER_BYTES, false);
      setOption(libc, fd, value, SOL_SOCKET, SO_SNDBUF, AuthoritativeServer.SOCKET_BUFFER_BYTES, false);
      if (v6) {
        // As java.nio does: an IPv6 socket takes IPv4 too (v4-mapped clients).
        setOption(libc, fd, value, IPPROTO_IPV6, IPV6_V6ONLY, 0, false);
      }
      value.putLong(0, 0).putLong(8, WAKE_MILLIS * 1000L);
      if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, valueAddress, 16) != 0) {
        throw error(libc, "setsockopt(SO_RCVTIMEO)");
      }
      long saAddress = libc.address(sa);
      int len = encode(address, sa);
      if (libc.bind(fd, saAddress, len) != 0) {
        int errno = libc.errno();
        String what = libc.strerror(errno) + " (" + address + ")";
        if (errno == EADDRINUSE || errno == EADDRNOTAVAIL || errno == EACCES) {
          throw new BindException(what);
        }
        throw new IOException("bind: " + what);
      }
      sa.putInt(SOCKADDR, SOCKADDR); // the socklen_t after the address
      if (libc.getsockname(fd, saAddress, saAddress + SOCKADDR) != 0) {
        throw error(libc, "getsockname");
      }
      int port = (sa.get(2) & 0xff) << 8 | (sa.get(3) & 0xff);
      return new MmsgUdpSocket(libc, fd, new InetSocketAddress(address.getAddress(), port));
    } catch (IOException | RuntimeException | Error e) {
      libc.close(fd);
      throw e;
    } finally {
      java.lang.ref.Reference.reachabilityFence(value);
      java.lang.ref.Reference.reachabilityFence(sa);
    }
  }

  private static void setOption(Libc libc, int fd, ByteBuffer value, int level, int option, int v,
      boolean required) throws IOException {
    value.putInt(0, v);
    if (libc.setsockopt(fd, level, option, libc.address(value), 4) != 0 && required) {
      throw error(libc, "setsockopt(" + level + ", " + option + ")");
    }
  }

  /** The failure of the call just made, with the calling thread's errno. */
  private static IOException error(Libc libc, String call) {
    return new IOException(call + ": " + libc.strerror(libc.errno()));
  }

  /** Writes {@code a} as a {@code sockaddr_in} or {@code sockaddr_in6} at 0; returns its length. */
  private static int encode(InetSocketAddress a, ByteBuffer b) {
    byte[] ip = a.getAddress().getAddress();
    b.putShort(0, (short) (ip.length == 4 ? AF_INET : AF_INET6));
    b.put(2, (byte) (a.getPort() >>> 8)).put(3, (byte) a.getPort());
    if (ip.length == 4) {
      b.put(4, ip);
      return SOCKADDR_IN_LEN;
    }
    b.putInt(4, 0);
    b.put(8, ip);
    b.putInt(24, ((Inet6Address) a.getAddress()).getScopeId());
    return SOCKADDR_IN6_LEN;
  }

  @Override
  InetSocketAddress localAddress() {
    return local;
  }

  @Override
  void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (serving) {
        libc.shutdown(fd, SHUT_RD);
      } else {
        release();
      }
    }
  }

  /** Closes the descriptor once; called with the lock held, never while a thread is in a system call on it. */
  private void release() {
    if (!released) {
      released = true;
      libc.close(fd);
    }
  }

  @Override
  boolean isOpen() {
    return !closed;
  }

  @Override
  void serve(QueryHandler handler, AtomicBoolean busy) {
    synchronized (lock) {
      if (closed) {
        release();
        return;
      }
      serving = true;
    }
    boolean failed = true;
    try {
      new Loop(handler, busy).run();
      failed = false;
    } finally {
      // An Error (out of memory while allocating the buffers or answering a batch) leaves the socket open: the
      // server reports it and serves the socket again. Otherwise the loop ended because the socket was closed.
      synchronized (lock) {
        serving = false;
        if (!failed) {
          closed = true;
        }
        if (closed) {
          release();
        }
      }
    }
  }

  /**
   * The buffers of one serving thread and its receive → answer → send loop. The buffers are direct {@link
   * ByteBuffer}s (plain, unscoped memory access in the loop) held in fields for as long as the loop runs, since
   * the kernel is handed their addresses (the headers point at the iovecs, names and data).
   */
  private final class Loop {
    private final QueryHandler handler;
    private final AtomicBoolean busy;
    private final int outSlot;
    private final long inHeaders;
    private final long outHeaders;
    private final long namesAddress;
    private final ByteBuffer inHdr;
    private final ByteBuffer outHdr;
    private final ByteBuffer inIov;
    private final ByteBuffer outIov;
    private final ByteBuffer names;
    private final ByteBuffer inData;
    private final ByteBuffer outData;
    private static final int SENDER_BITS = 12;
    private static final int SENDERS = 1 << SENDER_BITS;
    private final byte[] in = new byte[IN_SLOT];
    private final byte[] out = new byte[QueryHandler.MAX_MESSAGE + 2];
    /**
     * Sender addresses seen lately, direct-mapped by their bits ({@value #SENDERS} slots per family): resolvers ask
     * again and again, so their address objects are made once, not per datagram.
     */
    private final int[] v4Keys = new int[SENDERS];
    private final InetAddress[] v4Addresses = new InetAddress[SENDERS];
    private final long[] v6His = new long[SENDERS];
    private final long[] v6Los = new long[SENDERS];
    private final InetAddress[] v6Addresses = new InetAddress[SENDERS];
    private boolean reported;

    Loop(QueryHandler handler, AtomicBoolean busy) {
      this.handler = handler;
      this.busy = busy;
      this.outSlot = handler.maxUdpReply();
      ByteOrder order = ByteOrder.nativeOrder();
      this.inHdr = ByteBuffer.allocateDirect(BATCH * MMSGHDR).order(order);
      this.outHdr = ByteBuffer.allocateDirect(BATCH * MMSGHDR).order(order);
      this.inIov = ByteBuffer.allocateDirect(BATCH * IOVEC).order(order);
      this.outIov = ByteBuffer.allocateDirect(BATCH * IOVEC).order(order);
      this.names = ByteBuffer.allocateDirect(BATCH * SOCKADDR).order(order);
      this.inData = ByteBuffer.allocateDirect(BATCH * IN_SLOT);
      this.outData = ByteBuffer.allocateDirect(BATCH * outSlot);
      this.inHeaders = address(inHdr);
      this.outHeaders = address(outHdr);
      this.namesAddress = address(names);
      long iovAddress = address(inIov);
      long outIovAddress = address(outIov);
      long inAddress = address(inData);
      long outAddress = address(outData);
      for (int i = 0; i < BATCH; i++) {
        inIov.putLong(i * IOVEC, inAddress + (long) i * IN_SLOT).putLong(i * IOVEC + 8, IN_SLOT);
        inHdr.putLong(i * MMSGHDR + MSG_NAME, namesAddress + (long) i * SOCKADDR)
            .putLong(i * MMSGHDR + MSG_IOV, iovAddress + (long) i * IOVEC)
            .putLong(i * MMSGHDR + MSG_IOVLEN, 1);
        outIov.putLong(i * IOVEC, outAddress + (long) i * outSlot);
        outHdr.putLong(i * MMSGHDR + MSG_IOV, outIovAddress + (long) i * IOVEC)
            .putLong(i * MMSGHDR + MSG_IOVLEN, 1);
      }
    }

    /** The native address of a direct buffer (which this loop keeps reachable while it runs). */
    private long address(ByteBuffer direct) {
      return libc.address(direct);
    }

    void run() {
      try {
        loop();
      } finally {
        java.lang.ref.Reference.reachabilityFence(this); // the buffers outlive the last system call on them
      }
    }

    private void loop() {
      int failures = 0;
      while (!closed) {
        for (int i = 0; i < BATCH; i++) {
          inHdr.putInt(i * MMSGHDR + MSG_NAMELEN, SOCKADDR);
        }
        int k = libc.recvmmsg(fd, inHeaders, BATCH, MSG_WAITFORONE);
        if (k <= 0) {
          // 0: shut down by close(); -1: the receive timeout or a signal (EAGAIN, EINTR: loop), or an error
          // (none is expected on a bound UDP socket; one that keeps failing is not spun on).
          if (k < 0) {
            int errno = libc.errno();
            if (errno != EAGAIN && errno != EINTR && ++failures > 100) {
              LockSupport.parkNanos(1_000_000);
            }
          }
          continue;
        }
        failures = 0;
        busy.set(true);
        try {
          send(answer(k));
        } catch (RuntimeException e) {
          // Not expected (the handler never throws; every offset is bounded): the batch is lost, not the socket.
          if (!reported) {
            reported = true;
            LOG.error("UDP receiver on {}: a batch failed (reported once per receiver)", local, e);
          }
        } finally {
          busy.set(false);
        }
        for (int i = 0; i < k; i++) {
          names.putShort(i * SOCKADDR, (short) 0); // a slot the kernel leaves unfilled reads as no sender
        }
      }
    }

    /** Answers the {@code k} datagrams received; returns how many replies are ready to send. */
    private int answer(int k) {
      int m = 0;
      for (int i = 0; i < k; i++) {
        int h = i * MMSGHDR;
        int len = inHdr.getInt(h + MSG_LEN);
        InetAddress client = client(i * SOCKADDR);
        if (client == null) {
          continue; // no sender: the end-of-input recvmmsg reports after close() shut the socket down
        }
        if ((inHdr.getInt(h + MSG_FLAGS) & MSG_TRUNC) != 0) {
          handler.countDropped();
          continue;
        }
        inData.get(i * IN_SLOT, in, 0, len);
        int n = handler.handle(in, len, client, false, out, 0);
        if (n > 0 && n <= outSlot) {
          outData.put(m * outSlot, out, 0, n);
          outIov.putLong(m * IOVEC + 8, n);
          outHdr.putLong(m * MMSGHDR + MSG_NAME, namesAddress + (long) i * SOCKADDR)
              .putInt(m * MMSGHDR + MSG_NAMELEN, inHdr.getInt(h + MSG_NAMELEN));
          m++;
        }
      }
      return m;
    }

    /** Sends replies [0, m); one that cannot be sent (the kernel refuses its address) is skipped. */
    private void send(int m) {
      int i = 0;
      while (i < m) {
        int sent = libc.sendmmsg(fd, outHeaders + (long) i * MMSGHDR, m - i, 0);
        i += sent > 0 ? sent : 1;
      }
    }

    /** The sender of datagram {@code off / SOCKADDR}, or null for an address family other than IPv4/IPv6. */
    private @Nullable InetAddress client(int off) {
      int family = Short.toUnsignedInt(names.getShort(off));
      try {
        if (family == AF_INET) {
          int raw = names.getInt(off + 4);
          int slot = (raw * 0x9E3779B9) >>> (32 - SENDER_BITS);
          InetAddress known = v4Addresses[slot];
          if (known == null || v4Keys[slot] != raw) {
            byte[] a = new byte[4];
            names.get(off + 4, a);
            known = InetAddress.getByAddress(a);
            v4Addresses[slot] = known;
            v4Keys[slot] = raw;
          }
          return known;
        }
        if (family == AF_INET6) {
          long hi = names.getLong(off + 8);
          long lo = names.getLong(off + 16);
          int slot = (int) (((hi ^ lo * 31) * 0x9E3779B97F4A7C15L) >>> (64 - SENDER_BITS));
          InetAddress known = v6Addresses[slot];
          if (known == null || v6His[slot] != hi || v6Los[slot] != lo) {
            byte[] a = new byte[16];
            names.get(off + 8, a);
            known = InetAddress.getByAddress(a);
            v6Addresses[slot] = known;
            v6His[slot] = hi;
            v6Los[slot] = lo;
          }
          return known;
        }
      } catch (UnknownHostException e) {
        // not reached: the lengths are 4 and 16
      }
      return null;
    }
  }
}
