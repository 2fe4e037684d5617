package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.internal.IoMessages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The static data of one zone, read from an RFC 1035 zone file: an SOA at the origin, NS records and any other
 * records. Immutable. Checked when read: every record of class IN; exactly one SOA, at the origin; at least one
 * NS at the origin; every record at or below the origin; a CNAME has no other data beside it; {@code $INCLUDE} is
 * not allowed. The file is read as a stream, one record at a time, into compact arrays (no object per name or
 * record): a zone of a million records takes tens of megabytes of heap.
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
  private final ZoneStore store;
  private final SOARecord soa;

  private Zone(Name origin, ZoneStore store, SOARecord soa) {
    this.origin = origin;
    this.originKey = NameKeys.key(origin);
    this.store = store;
    this.soa = soa;
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
    // Streamed: the file is never held whole.
    try (InputStream in = InputLimits.open(file, InputLimits.ZONE_FILE_BYTES, "a zone file")) {
      return read(file.toString(), origin, in);
    } catch (IOException e) {
      throw new ZoneFileException(file + ": cannot read: " + IoMessages.describe(e), e);
    }
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
    return read("zone " + origin, origin, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
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
    return read(sourceName, origin, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
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
    return read(sourceName, origin, new ByteArrayInputStream(bytes));
  }

  private static Zone read(String source, String originText, InputStream in) {
    Name origin;
    try {
      origin = Name.fromString(originText.endsWith(".") ? originText : originText + ".");
    } catch (TextParseException e) {
      throw new ZoneFileException(source + ": invalid origin '" + originText + "': " + e.getMessage(), e);
    }
    // One record at a time: each is checked, reduced to its RDATA in the store's arrays, and dropped.
    ZoneText text = new ZoneText(source, in);
    ZoneStore.Builder store = new ZoneStore.Builder(origin);
    SOARecord soa = null;
    try (Master master = new Master(text, origin, 3600)) {
      master.disableIncludes(true);
      Record r;
      while ((r = master.nextRecord()) != null) {
        String where = source + ": " + at(text.line(store.count()));
        byte[] canonical = checkServable(where, origin, r);
        byte[] wire = r.toWire(Section.ANSWER);
        store.add(r, Arrays.copyOfRange(wire, r.getName().length() + 10, wire.length), canonical);
        if (r instanceof SOARecord s) {
          soa = s;
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ZoneFileException z) {
        throw z;
      }
      if (e instanceof IOException && !(e instanceof TextParseException)) {
        throw new ZoneFileException(source + ": cannot read: " + IoMessages.describe(e), e);
      }
      // dnsjava's messages carry the line: "<none>:12: invalid address".
      String msg = String.valueOf(e.getMessage()).replaceFirst("^<none>:", "line ");
      throw new ZoneFileException(source + ": " + msg, e);
    }
    // store.build checked that there is exactly one SOA record, at the origin.
    return new Zone(origin, store.build(source, text::line), checkNotNull(soa, "SOA"));
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

  /**
   * Refuses what the server cannot answer or does not serve: DNAME (not applied), record data no message can hold,
   * classes other than IN, names outside the zone, an SOA away from the origin. Returns the canonical RDATA.
   */
  private static byte[] checkServable(String where, Name origin, Record r) {
    if (r.getType() == Type.DNAME) {
      throw new ZoneFileException(where + r.getName() + " DNAME: DNAME is not supported (RFC 6672 redirection is "
          + "not applied); use CNAME records for the names below it");
    }
    byte[] canonical = r.rdataToWireCanonical();
    if (canonical.length > MAX_RDATA) {
      throw new ZoneFileException(where + r.getName() + " " + Type.string(r.getType()) + ": the record data is "
          + canonical.length + " bytes; no DNS message can hold more than " + MAX_RDATA);
    }
    if (r.getDClass() != DClass.IN) {
      throw new ZoneFileException(where + "record " + r.getName() + " " + Type.string(r.getType())
          + " has class " + DClass.string(r.getDClass()) + "; only class IN is served");
    }
    if (!r.getName().subdomain(origin)) {
      throw new ZoneFileException(where + "record " + r.getName() + " " + Type.string(r.getType())
          + " is outside the zone " + origin);
    }
    if (r.getType() == Type.SOA && !r.getName().equals(origin)) {
      throw new ZoneFileException(where + "SOA at " + r.getName() + ", not at the origin " + origin);
    }
    return canonical;
  }

  /** The zone's name, absolute, in lower case ({@code example.com.}). */
  public String origin() {
    return originKey;
  }

  /** The number of records read (a record written twice counts twice; it is served once). */
  public int size() {
    return store.recordsRead();
  }

  /** The SOA record's serial number. */
  public long serial() {
    return soa.getSerial();
  }

  Name originName() {
    return origin;
  }

  /** The zone's records, indexed. */
  ZoneStore store() {
    return store;
  }

  SOARecord soa() {
    return soa;
  }

  @Override
  public String toString() {
    return "Zone{" + originKey + ", " + store.recordsRead() + " records}";
  }
}
