package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The static data of one zone, read from an RFC 1035 zone file: an SOA at the origin, NS records and any other
 * records. Immutable. Checked when read: every record of class IN; exactly one SOA, at the origin; at least one
 * NS at the origin; every record at or below the origin; a CNAME has no other data beside it; {@code $INCLUDE} is
 * not allowed.
 *
 * <pre>{@code
 * Zone zone = Zone.parse("example.com", """
 *     $TTL 300
 *     @    IN SOA ns1 hostmaster 1 7200 900 1209600 60
 *     @    IN NS  ns1
 *     ns1  IN A   192.0.2.53
 *     """);
 * }</pre>
 */
public final class Zone {
  private final Name origin;
  private final String originKey;
  private final ImmutableList<Record> records;

  private Zone(Name origin, ImmutableList<Record> records) {
    this.origin = origin;
    this.originKey = NameKeys.key(origin);
    this.records = records;
  }

  /**
   * Reads a zone file.
   *
   * @param file the zone file
   * @param origin the zone's name (the initial {@code $ORIGIN}), e.g. {@code example.com}
   * @throws ZoneFileException naming the file and line of the first problem
   */
  public static Zone fromFile(Path file, String origin) {
    checkNotNull(file, "file");
    checkNotNull(origin, "origin");
    byte[] bytes;
    try {
      bytes = InputLimits.read(file, InputLimits.ZONE_FILE_BYTES, "a zone file");
    } catch (IOException e) {
      throw new ZoneFileException(file + ": cannot read: " + e.getMessage(), e);
    }
    return read(file.toString(), origin, bytes);
  }

  /**
   * Parses zone file text.
   *
   * @param origin the zone's name, e.g. {@code example.com}
   * @param text the zone file, in RFC 1035 master file format
   * @throws ZoneFileException naming the line of the first problem
   */
  public static Zone parse(String origin, String text) {
    checkNotNull(origin, "origin");
    checkNotNull(text, "text");
    return read("zone " + origin, origin, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses zone file text, naming it {@code sourceName} in messages.
   *
   * @throws ZoneFileException naming the source and line of the first problem
   */
  public static Zone parse(String origin, String text, String sourceName) {
    checkNotNull(origin, "origin");
    checkNotNull(text, "text");
    checkNotNull(sourceName, "sourceName");
    return read(sourceName, origin, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses a zone file's bytes (a master file is bytes: non-ASCII bytes in names and strings are kept as they are),
   * naming it {@code sourceName} in messages.
   *
   * @throws ZoneFileException naming the source and line of the first problem
   */
  public static Zone parse(String origin, byte[] bytes, String sourceName) {
    checkNotNull(origin, "origin");
    checkNotNull(bytes, "bytes");
    checkNotNull(sourceName, "sourceName");
    return read(sourceName, origin, bytes);
  }

  private static Zone read(String source, String originText, byte[] bytes) {
    Name origin;
    try {
      origin = Name.fromString(originText.endsWith(".") ? originText : originText + ".");
    } catch (TextParseException e) {
      throw new ZoneFileException(source + ": invalid origin '" + originText + "': " + e.getMessage(), e);
    }
    ZoneText text = ZoneText.scan(source, bytes);
    List<Record> list = new ArrayList<>();
    try (Master master = new Master(new ByteArrayInputStream(text.bytes), origin, 3600)) {
      master.disableIncludes(true);
      Record r;
      while ((r = master.nextRecord()) != null) {
        checkServable(source + ": " + at(text.line(list.size())), r);
        list.add(r);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ZoneFileException z) {
        throw z;
      }
      // dnsjava's messages carry the line: "<none>:12: invalid address".
      String msg = String.valueOf(e.getMessage()).replaceFirst("^<none>:", "line ");
      throw new ZoneFileException(source + ": " + msg, e);
    }
    check(source, origin, list);
    checkRRsetSizes(source, list, text);
    return new Zone(origin, ImmutableList.copyOf(list));
  }

  /** {@code "line N: "}, or nothing when the line is not known. */
  private static String at(int line) {
    return line > 0 ? "line " + line + ": " : "";
  }

  /**
   * The largest record a reply can carry: a 12-byte header, a question for the longest name (255 bytes) with its
   * type and class, and the record with its owner compressed to a 2-byte pointer and 10 bytes of type, class, TTL
   * and length.
   */
  static final int MAX_RDATA = QueryHandler.MAX_MESSAGE - 12 - (255 + 4) - (2 + 10);

  /** Refuses what the server cannot answer: DNAME (not applied) and record data no message can hold. */
  private static void checkServable(String where, Record r) {
    if (r.getType() == Type.DNAME) {
      throw new ZoneFileException(where + r.getName() + " DNAME: DNAME is not supported (RFC 6672 redirection is "
          + "not applied); use CNAME records for the names below it");
    }
    int rdata = r.rdataToWireCanonical().length;
    if (rdata > MAX_RDATA) {
      throw new ZoneFileException(where + r.getName() + " " + Type.string(r.getType()) + ": the record data is "
          + rdata + " bytes; no DNS message can hold more than " + MAX_RDATA);
    }
  }

  /** Refuses an RRset that no reply can hold whole, naming the line of its first record. */
  private static void checkRRsetSizes(String source, List<Record> records, ZoneText text) {
    Map<Name, Map<Integer, int[]>> sizes = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      int[] acc = sizes.computeIfAbsent(r.getName(), k -> new HashMap<>())
          .computeIfAbsent(r.getType(), k -> new int[] {0, 0, 0});
      if (acc[2] == 0) {
        acc[1] = i;
      }
      acc[0] += 12 + r.rdataToWireCanonical().length;
      acc[2]++;
    }
    sizes.forEach((name, byType) -> byType.forEach((type, acc) -> {
      int question = name.isWild() ? 255 : name.length();
      int total = 12 + question + 4 + acc[0];
      if (total > QueryHandler.MAX_MESSAGE) {
        throw new ZoneFileException(source + ": " + at(text.line(acc[1])) + name + " " + Type.string(type) + ": "
            + acc[2] + " records need a " + total + "-byte reply; no DNS message can hold more than "
            + QueryHandler.MAX_MESSAGE + " bytes");
      }
    }));
  }

  private static void check(String source, Name origin, List<Record> records) {
    int soa = 0;
    boolean ns = false;
    Map<Name, Set<Integer>> types = new HashMap<>();
    for (Record r : records) {
      if (r.getDClass() != DClass.IN) {
        throw new ZoneFileException(source + ": record " + r.getName() + " " + Type.string(r.getType())
            + " has class " + DClass.string(r.getDClass()) + "; only class IN is served");
      }
      if (!r.getName().subdomain(origin)) {
        throw new ZoneFileException(source + ": record " + r.getName() + " " + Type.string(r.getType())
            + " is outside the zone " + origin);
      }
      if (r.getType() == Type.SOA) {
        if (!r.getName().equals(origin)) {
          throw new ZoneFileException(source + ": SOA at " + r.getName() + ", not at the origin " + origin);
        }
        soa++;
      }
      if (r.getType() == Type.NS && r.getName().equals(origin)) {
        ns = true;
      }
      types.computeIfAbsent(r.getName(), k -> new HashSet<>()).add(r.getType());
    }
    if (soa != 1) {
      throw new ZoneFileException(source + ": needs exactly one SOA record at " + origin + " but has " + soa);
    }
    if (!ns) {
      throw new ZoneFileException(source + ": needs at least one NS record at " + origin);
    }
    types.forEach((name, set) -> {
      if (set.contains(Type.CNAME) && set.size() > 1) {
        throw new ZoneFileException(source + ": " + name + " has a CNAME and other data");
      }
    });
    long cnames = records.stream().filter(r -> r instanceof CNAMERecord && r.getName().equals(origin)).count();
    if (cnames > 0) {
      throw new ZoneFileException(source + ": a CNAME at the zone origin " + origin);
    }
  }

  /** The zone's name, absolute, in lower case ({@code example.com.}). */
  public String origin() {
    return originKey;
  }

  /** The number of records. */
  public int size() {
    return records.size();
  }

  /** The SOA record's serial number. */
  public long serial() {
    return soa().getSerial();
  }

  Name originName() {
    return origin;
  }

  ImmutableList<Record> records() {
    return records;
  }

  SOARecord soa() {
    return (SOARecord) records.stream().filter(r -> r.getType() == Type.SOA).findFirst().orElseThrow();
  }

  @Override
  public String toString() {
    return "Zone{" + originKey + ", " + records.size() + " records}";
  }
}
