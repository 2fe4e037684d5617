package io.github.trafficpolicy.engine.input;

import io.github.trafficpolicy.engine.ClientLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The data section of a MaxMind DB file (MaxMind DB format 2.0, "Output Data Section"), memory-mapped and read for
 * the few fields a location needs: {@code continent.code}, {@code country.iso_code}, the first
 * {@code subdivisions[].iso_code} and {@code location.latitude}/{@code longitude}. Everything else of a record
 * (names in many languages, postal codes, time zones …) is skipped without being decoded, so reading a record costs
 * a few hundred nanoseconds and allocates only its location. Lengths and offsets are checked against the section;
 * a malformed record is an {@link IOException}. Thread-safe (absolute reads of a read-only buffer only).
 */
final class MmdbData {
  private static final int POINTER = 1;
  private static final int UTF8 = 2;
  private static final int DOUBLE = 3;
  private static final int MAP = 7;
  private static final int ARRAY = 11;
  private static final int MAX_SKIP_DEPTH = 32;

  private static final byte[] CONTINENT = ascii("continent");
  private static final byte[] CODE = ascii("code");
  private static final byte[] COUNTRY = ascii("country");
  private static final byte[] ISO_CODE = ascii("iso_code");
  private static final byte[] SUBDIVISIONS = ascii("subdivisions");
  private static final byte[] LOCATION = ascii("location");
  private static final byte[] LATITUDE = ascii("latitude");
  private static final byte[] LONGITUDE = ascii("longitude");

  private final ByteBuffer data;
  private final long nodeCount;

  private MmdbData(ByteBuffer data, long nodeCount) {
    this.data = data;
    this.nodeCount = nodeCount;
  }

  /**
   * Maps the data section of the database open in {@code channel} ({@code path} names it in messages): it starts 16
   * bytes after a search tree of {@code treeBytes} bytes and ends where the metadata marker begins
   * ({@code metadataStart}). The mapping stays valid after the channel is closed.
   */
  static MmdbData map(FileChannel channel, Path path, long nodeCount, long treeBytes, long metadataStart)
      throws IOException {
    long start = treeBytes + 16;
    if (metadataStart < start || metadataStart - start > Integer.MAX_VALUE) {
      throw new IOException(path + ": no data section between the search tree and the metadata");
    }
    return new MmdbData(channel.map(FileChannel.MapMode.READ_ONLY, start, metadataStart - start), nodeCount);
  }

  /** The offset of the metadata marker (the last occurrence of {@code \xAB\xCD\xEFMaxMind.com}) in the file. */
  static long metadataStart(FileChannel channel, Path path) throws IOException {
    byte[] marker = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};
    long size = channel.size();
    int tail = (int) Math.min(size, 128 * 1024);
    ByteBuffer end = channel.map(FileChannel.MapMode.READ_ONLY, size - tail, tail);
    for (int i = tail - marker.length; i >= 0; i--) {
      int k = 0;
      while (k < marker.length && end.get(i + k) == marker[k]) {
        k++;
      }
      if (k == marker.length) {
        return size - tail + i;
      }
    }
    throw new IOException(path + ": no MaxMind DB metadata marker");
  }

  /** The location of the data record a search tree walk reached ({@code record} > node count). */
  ClientLocation location(long record) throws IOException {
    Fields f = new Fields();
    read(record, f);
    return f.location();
  }

  /**
   * Reads the location fields of the data record a search tree walk reached ({@code record} > node count) into
   * {@code f}, which is cleared first: allocates nothing once the record's codes have been seen (see
   * {@link #codes}), so a caller reading many records with one {@code Fields} makes no garbage.
   */
  void read(long record, Fields f) throws IOException {
    long offset = record - nodeCount - 16;
    if (offset < 0 || offset >= data.capacity()) {
      throw new IOException("data record " + record + " outside the data section");
    }
    f.clear();
    int at = resolve((int) offset);
    if (type(at) != MAP) {
      throw new IOException("data record at " + offset + " is not a map");
    }
    f.pos = payload(at);
    int pairs = size(at);
    for (int i = 0; i < pairs; i++) {
      int key = resolveAt(f);
      int value = resolveAt(f);
      if (keyIs(key, CONTINENT)) {
        f.continent = stringIn(value, CODE, f);
      } else if (keyIs(key, COUNTRY)) {
        f.country = stringIn(value, ISO_CODE, f);
      } else if (keyIs(key, SUBDIVISIONS)) {
        int list = resolve(value);
        if (type(list) == ARRAY && size(list) > 0) {
          int back = f.pos;
          f.pos = payload(list);
          f.subdivision = stringIn(resolveAt(f), ISO_CODE, f);
          f.pos = back;
        }
      } else if (keyIs(key, LOCATION)) {
        readPoint(value, f);
      }
    }
  }

  /** What one record read finds (absent: null, or NaN for a coordinate), and the reading position. */
  static final class Fields {
    @Nullable String continent;
    @Nullable String country;
    @Nullable String subdivision;
    double latitude = Double.NaN;
    double longitude = Double.NaN;
    int pos;

    void clear() {
      continent = null;
      country = null;
      subdivision = null;
      latitude = Double.NaN;
      longitude = Double.NaN;
      pos = 0;
    }

    /** A new location of these fields, checked (see {@link MaxMindGeoLocator#location}). */
    ClientLocation location() {
      return MaxMindGeoLocator.location(continent, country, subdivision, latitude, longitude);
    }
  }

  /**
   * Codes read so far (continents, countries, subdivisions: a few thousand), by their bytes, so that reading a record
   * makes no string for a code seen before. Direct-mapped; slots race benignly (a String is immutable).
   */
  private final String[] codes = new String[4096];

  /** The code under {@code key} in the map at {@code at}, or null ({@code f.pos} is kept). */
  private @Nullable String stringIn(int at, byte[] key, Fields f) throws IOException {
    int map = resolve(at);
    if (type(map) != MAP) {
      return null;
    }
    int back = f.pos;
    try {
      f.pos = payload(map);
      int pairs = size(map);
      for (int i = 0; i < pairs; i++) {
        int k = resolveAt(f);
        int v = resolveAt(f);
        if (keyIs(k, key)) {
          int s = resolve(v);
          return type(s) == UTF8 ? code(s) : null;
        }
      }
      return null;
    } finally {
      f.pos = back;
    }
  }

  private void readPoint(int at, Fields f) throws IOException {
    int map = resolve(at);
    if (type(map) != MAP) {
      return;
    }
    int back = f.pos;
    f.pos = payload(map);
    int pairs = size(map);
    for (int i = 0; i < pairs; i++) {
      int k = resolveAt(f);
      int v = resolve(resolveAt(f));
      if (type(v) == DOUBLE && size(v) == 8) {
        double d = data.getDouble(check(payload(v), 8));
        if (keyIs(k, LATITUDE)) {
          f.latitude = d;
        } else if (keyIs(k, LONGITUDE)) {
          f.longitude = d;
        }
      }
    }
    f.pos = back;
  }

  /**
   * The value at {@code f.pos} (a key or a value of a map or array), resolved through a pointer; moves
   * {@code f.pos} past it.
   */
  private int resolveAt(Fields f) throws IOException {
    int at = f.pos;
    f.pos = skip(at, 0);
    return resolve(at);
  }

  /** The value a pointer at {@code at} points to, or {@code at} itself when it is no pointer. */
  private int resolve(int at) throws IOException {
    if (type(at) != POINTER) {
      return at;
    }
    int target = pointer(at);
    if (type(target) == POINTER) {
      throw new IOException("pointer at " + at + " points to a pointer");
    }
    return target;
  }

  /** Whether the string at {@code at} is {@code key}. */
  private boolean keyIs(int at, byte[] key) throws IOException {
    if (type(at) != UTF8 || size(at) != key.length) {
      return false;
    }
    int p = check(payload(at), key.length);
    for (int i = 0; i < key.length; i++) {
      if (data.get(p + i) != key[i]) {
        return false;
      }
    }
    return true;
  }

  /** The string at {@code at}: one instance per code of up to three bytes (see {@link #codes}). */
  private String code(int at) throws IOException {
    int n = size(at);
    int p = check(payload(at), n);
    if (n == 0 || n > 3) {
      byte[] b = new byte[n];
      data.get(p, b);
      return new String(b, StandardCharsets.UTF_8);
    }
    int packed = n;
    for (int i = 0; i < n; i++) {
      packed = packed << 8 | (data.get(p + i) & 0xff);
    }
    int slot = (packed * 0x9E3779B9) >>> 20;
    String known = codes[slot];
    if (known != null && packedOf(known) == packed) {
      return known;
    }
    byte[] b = new byte[n];
    data.get(p, b);
    String made = new String(b, StandardCharsets.UTF_8);
    codes[slot] = made;
    return made;
  }

  /** {@code n} and the code's bytes as {@link #code} packs them, or -1 when it is not ASCII. */
  private static int packedOf(String s) {
    int packed = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0x7f) {
        return -1;
      }
      packed = packed << 8 | c;
    }
    return packed;
  }

  // ----- the control byte -------------------------------------------------------------------------------------

  private int type(int at) throws IOException {
    int t = u8(at) >>> 5;
    return t == 0 ? 7 + u8(at + 1) : t;
  }

  /** The offset of the size bytes (after the control byte and the extended type byte). */
  private int afterType(int at) throws IOException {
    return u8(at) >>> 5 == 0 ? at + 2 : at + 1;
  }

  private int size(int at) throws IOException {
    int s = u8(at) & 0x1f;
    int p = afterType(at);
    switch (s) {
      case 29:
        return 29 + u8(p);
      case 30:
        return 285 + (u8(p) << 8 | u8(p + 1));
      case 31:
        return 65_821 + (u8(p) << 16 | u8(p + 1) << 8 | u8(p + 2));
      default:
        return s;
    }
  }

  /** The offset of the payload (after the control, type and size bytes). */
  private int payload(int at) throws IOException {
    int s = u8(at) & 0x1f;
    return afterType(at) + (s < 29 ? 0 : s - 28);
  }

  private int pointer(int at) throws IOException {
    int c = u8(at);
    int ss = (c >>> 3) & 3;
    int v = c & 7;
    int p = at + 1;
    long target;
    switch (ss) {
      case 0:
        target = ((long) v << 8) | u8(p);
        break;
      case 1:
        target = ((v << 16) | u8(p) << 8 | u8(p + 1)) + 2048L;
        break;
      case 2:
        target = ((long) v << 24 | u8(p) << 16 | u8(p + 1) << 8 | u8(p + 2)) + 526_336L;
        break;
      default:
        target = (long) u8(p) << 24 | u8(p + 1) << 16 | u8(p + 2) << 8 | u8(p + 3);
        break;
    }
    if (target >= data.capacity()) {
      throw new IOException("pointer at " + at + " outside the data section");
    }
    return (int) target;
  }

  /** The offset after the value at {@code at} (a pointer is not followed). */
  private int skip(int at, int depth) throws IOException {
    if (depth > MAX_SKIP_DEPTH) {
      throw new IOException("values nested deeper than " + MAX_SKIP_DEPTH + " at " + at);
    }
    int t = type(at);
    switch (t) {
      case POINTER:
        return at + 2 + ((u8(at) >>> 3) & 3);
      case MAP: {
        int p = payload(at);
        for (int i = 2 * size(at); i > 0; i--) {
          p = skip(p, depth + 1);
        }
        return p;
      }
      case ARRAY: {
        int p = payload(at);
        for (int i = size(at); i > 0; i--) {
          p = skip(p, depth + 1);
        }
        return p;
      }
      case 14: // boolean: the size is the value
      case 12: // data cache container
      case 13: // end marker
        return payload(at);
      default:
        if (t > 15) {
          throw new IOException("unknown data type " + t + " at " + at);
        }
        return check(payload(at), size(at)) + size(at);
    }
  }

  private int u8(int at) throws IOException {
    if (at < 0 || at >= data.capacity()) {
      throw new IOException("data record runs past the data section at " + at);
    }
    return data.get(at) & 0xff;
  }

  private int check(int at, int length) throws IOException {
    if (at < 0 || length < 0 || (long) at + length > data.capacity()) {
      throw new IOException("value at " + at + " of " + length + " bytes runs past the data section");
    }
    return at;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
