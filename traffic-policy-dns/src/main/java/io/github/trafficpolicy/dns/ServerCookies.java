package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * DNS Cookies (RFC 7873) with interoperable server cookies (RFC 9018): version 1, three reserved zero bytes, a
 * 32-bit timestamp and the SipHash-2-4, keyed with a 16-byte server secret, of (client cookie, version, reserved,
 * timestamp, client address). Servers of one name that share the secret (anycast, other RFC 9018 implementations)
 * accept each other's cookies. A server cookie is valid from 5 minutes in the future to 1 hour in the past.
 */
final class ServerCookies {
  static final int OPTION_COOKIE = 10;
  /** The length of the server cookie this server makes. */
  static final int SERVER_COOKIE = 16;
  private static final long MAX_AGE = 3600;
  private static final long MAX_FUTURE = 300;

  private final HashFunction sipHash;

  ServerCookies(byte[] secret) {
    checkArgument(secret.length == 16, "the cookie secret must be 16 bytes but was %s", secret.length);
    ByteBuffer k = ByteBuffer.wrap(secret).order(ByteOrder.LITTLE_ENDIAN);
    this.sipHash = Hashing.sipHash24(k.getLong(), k.getLong());
  }

  /** With a random secret (cookies from this server are valid only at this server, until it restarts). */
  static ServerCookies random() {
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    return new ServerCookies(secret);
  }

  /** Whether {@code server} is a server cookie this server (or one sharing its secret) gave {@code client}. */
  boolean valid(byte[] client, byte[] server, InetAddress source, long nowSeconds) {
    if (server.length != SERVER_COOKIE || server[0] != 1 || server[1] != 0 || server[2] != 0 || server[3] != 0) {
      return false;
    }
    long ts = ((server[4] & 0xffL) << 24) | ((server[5] & 0xffL) << 16) | ((server[6] & 0xffL) << 8)
        | (server[7] & 0xffL);
    // Serial number arithmetic on 32 bits (RFC 1982): how far the timestamp is behind now.
    int behind = (int) (nowSeconds - ts);
    if (behind > MAX_AGE || behind < -MAX_FUTURE) {
      return false;
    }
    byte[] expected = hash(client, server, source);
    int diff = 0;
    for (int i = 0; i < 8; i++) {
      diff |= expected[i] ^ server[8 + i];
    }
    return diff == 0;
  }

  /** Writes the client cookie and a new server cookie for it at {@code out[pos]} (24 bytes). */
  void write(byte[] client, InetAddress source, long nowSeconds, byte[] out, int pos) {
    System.arraycopy(client, 0, out, pos, 8);
    out[pos + 8] = 1;
    out[pos + 9] = 0;
    out[pos + 10] = 0;
    out[pos + 11] = 0;
    out[pos + 12] = (byte) (nowSeconds >> 24);
    out[pos + 13] = (byte) (nowSeconds >> 16);
    out[pos + 14] = (byte) (nowSeconds >> 8);
    out[pos + 15] = (byte) nowSeconds;
    byte[] server = java.util.Arrays.copyOfRange(out, pos + 8, pos + 24);
    System.arraycopy(hash(client, server, source), 0, out, pos + 16, 8);
  }

  private byte[] hash(byte[] client, byte[] server, InetAddress source) {
    byte[] address = source.getAddress();
    byte[] in = new byte[8 + 8 + address.length];
    System.arraycopy(client, 0, in, 0, 8);
    System.arraycopy(server, 0, in, 8, 8);
    System.arraycopy(address, 0, in, 16, address.length);
    return sipHash.hashBytes(in).asBytes();
  }
}
