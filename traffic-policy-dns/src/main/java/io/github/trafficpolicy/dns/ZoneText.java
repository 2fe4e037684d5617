package io.github.trafficpolicy.dns;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * A zone file's bytes made ready for dnsjava's master-file reader, and the line each record starts on. A master
 * file is a sequence of bytes (RFC 1035 section 5.1); dnsjava reads it as characters and encodes character-strings
 * again as UTF-8, which would double-encode raw non-ASCII bytes (a TXT {@code "café"} served as
 * {@code "cafÃ©"}). So every byte of 0x80 or above is rewritten as the {@code \DDD} escape of that byte, which
 * every reader takes as the byte itself, in names and strings alike.
 *
 * <p>The scan also checks what dnsjava lets through: parentheses must balance and quoted strings must end (with
 * the line where the open one started), and {@code $GENERATE} is refused (its records could not be tied to a line;
 * write them out). Each logical entry (a line, or lines joined by parentheses) that is not a directive and not
 * blank is one record, so {@link #recordLines} gives the line of each record dnsjava returns, in order.
 */
final class ZoneText {
  final byte[] bytes;
  /** The line each record starts on, in the order the records appear. */
  final int[] recordLines;
  final int recordCount;

  private ZoneText(byte[] bytes, int[] recordLines, int recordCount) {
    this.bytes = bytes;
    this.recordLines = recordLines;
    this.recordCount = recordCount;
  }

  /** The line the {@code i}-th record starts on, or -1 when the scan counted fewer. */
  int line(int i) {
    return i < recordCount ? recordLines[i] : -1;
  }

  /**
   * Scans {@code in}.
   *
   * @throws ZoneFileException naming the source and line of an unbalanced parenthesis, an unterminated string or
   *     a {@code $GENERATE}
   */
  static ZoneText scan(String source, byte[] in) {
    return new Scanner(source, in).run();
  }

  private static final class Scanner {
    private final String source;
    private final byte[] in;
    private final ByteArrayOutputStream out;
    private int[] lines = new int[64];
    private int count;
    private int line = 1;
    private int depth;
    private int openLine;
    private boolean quoted;
    private int quoteLine;
    private boolean escaped;
    private boolean comment;
    /** The line the current entry started on, or 0 before its first significant byte. */
    private int entryLine;
    private boolean directive;
    private boolean directiveChecked;
    private final StringBuilder word = new StringBuilder();

    Scanner(String source, byte[] in) {
      this.source = source;
      this.in = in;
      this.out = new ByteArrayOutputStream(in.length + 64);
    }

    ZoneText run() {
      for (byte b : in) {
        int c = b & 0xff;
        if (comment) {
          if (c == '\n') {
            comment = false;
            newline();
          }
          out.write(c);
          continue;
        }
        if (escaped) {
          escaped = false;
          writeByte(c, false);
          continue;
        }
        if (c == '\\') {
          escaped = true;
          significant(c);
          out.write(c);
          continue;
        }
        if (quoted) {
          if (c == '"') {
            quoted = false;
          } else if (c == '\n') {
            line++;
          }
          writeByte(c, true);
          continue;
        }
        switch (c) {
          case '"' -> {
            quoted = true;
            quoteLine = line;
            significant(c);
          }
          case ';' -> comment = true;
          case '(' -> {
            if (depth++ == 0) {
              openLine = line;
            }
          }
          case ')' -> {
            if (depth == 0) {
              throw problem(line, "')' without an open '('");
            }
            depth--;
          }
          case '\n' -> newline();
          case ' ', '\t', '\r' -> checkDirective();
          default -> {
            significant(c);
            if (directive && !directiveChecked && word.length() < 16) {
              word.append((char) c);
            }
          }
        }
        writeByte(c, true);
      }
      if (quoted) {
        throw problem(quoteLine, "a quoted string starts here and is never closed");
      }
      if (depth > 0) {
        throw problem(openLine, "'(' opened here is never closed");
      }
      endEntry();
      return new ZoneText(out.toByteArray(), lines, count);
    }

    /** Writes a byte; one of 0x80 or above as its {@code \DDD} escape ({@code DDD} alone after a backslash). */
    private void writeByte(int c, boolean withBackslash) {
      if (c < 0x80) {
        out.write(c);
        return;
      }
      byte[] digits = String.format(Locale.ROOT, "%s%03d", withBackslash ? "\\" : "", c).getBytes(
          java.nio.charset.StandardCharsets.US_ASCII);
      out.write(digits, 0, digits.length);
    }

    /** Notes a byte that is part of an entry; the first byte of an entry decides whether it is a directive. */
    private void significant(int c) {
      if (entryLine == 0) {
        entryLine = line;
        directive = c == '$';
        directiveChecked = false;
        word.setLength(0);
      }
    }

    /** At the end of a directive's first word: refuses {@code $GENERATE}. */
    private void checkDirective() {
      if (directive && !directiveChecked && word.length() > 0) {
        directiveChecked = true;
        if (word.toString().toUpperCase(Locale.ROOT).equals("$GENERATE")) {
          throw problem(entryLine, "$GENERATE is not supported; write the records out");
        }
      }
    }

    private void newline() {
      line++;
      if (depth == 0) {
        endEntry();
      }
    }

    private void endEntry() {
      checkDirective();
      if (entryLine != 0 && !directive) {
        if (count == lines.length) {
          lines = Arrays.copyOf(lines, count * 2);
        }
        lines[count++] = entryLine;
      }
      entryLine = 0;
      directive = false;
    }

    private ZoneFileException problem(int at, String message) {
      return new ZoneFileException(source + ": line " + at + ": " + message);
    }
  }
}
