package io.github.trafficpolicy.dns;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * A zone file's bytes made ready for dnsjava's master-file reader as they stream past, and the line each record
 * starts on. A master file is a sequence of bytes (RFC 1035 section 5.1); dnsjava reads it as characters and encodes
 * character-strings again as UTF-8, which would double-encode raw non-ASCII bytes (a TXT {@code "café"} served as
 * {@code "cafÃ©"}). So every byte of 0x80 or above is rewritten as the {@code \DDD} escape of that byte, which
 * every reader takes as the byte itself, in names and strings alike.
 *
 * <p>The scan also checks what dnsjava lets through: parentheses must balance and quoted strings must end (with
 * the line where the open one started), and {@code $GENERATE} is refused (its records could not be tied to a line;
 * write them out). Each logical entry (a line, or lines joined by parentheses) that is not a directive and not
 * blank is one record, so {@link #line} gives the line of each record dnsjava returns, in order. The reader is
 * always ahead of dnsjava (dnsjava reads through a buffer), so the line of a record is known when dnsjava returns
 * it. A problem found at the end of the input is thrown before dnsjava is given the last block.
 *
 * <p>Nothing holds the whole file: the input is read in blocks and each block is rewritten as it is read.
 */
final class ZoneText extends InputStream {
  private final String source;
  private final InputStream in;
  private final byte[] block = new byte[8192];
  private final byte[] one = new byte[1];
  /** Rewritten bytes not yet read: {@code pending[pendingStart, pendingEnd)}. Each input byte makes at most 4. */
  private final byte[] pending = new byte[4 * 8192];
  private int pendingStart;
  private int pendingEnd;
  private boolean ended;
  /** The byte after the last block read, or -1 at the end of the input (or before the first read). */
  private int lookahead = -1;

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

  /**
   * Rewrites {@code in} (not closed by this reader).
   *
   * @param source what to call the input in messages
   */
  ZoneText(String source, InputStream in) {
    this.source = source;
    this.in = in;
  }

  /** The line the {@code i}-th record starts on, or -1 when the scan has not counted that many. */
  int line(int i) {
    return i < count ? lines[i] : -1;
  }

  /**
   * {@inheritDoc}
   *
   * @throws ZoneFileException naming the source and line of an unbalanced parenthesis, an unterminated string or
   *     a {@code $GENERATE}
   */
  @Override
  public int read() throws IOException {
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  /**
   * {@inheritDoc}
   *
   * @throws ZoneFileException naming the source and line of an unbalanced parenthesis, an unterminated string or
   *     a {@code $GENERATE}
   */
  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (pendingStart == pendingEnd) {
      if (ended) {
        return -1;
      }
      fill();
    }
    int n = Math.min(len, pendingEnd - pendingStart);
    System.arraycopy(pending, pendingStart, b, off, n);
    pendingStart += n;
    return n;
  }

  /**
   * Rewrites the next block. The input is read one byte ahead, so the end is known before the last block is handed
   * on: a problem found at the end is thrown before dnsjava reads the last bytes (and could report something else).
   */
  private void fill() throws IOException {
    pendingStart = 0;
    pendingEnd = 0;
    int n = 0;
    if (lookahead >= 0) {
      block[n++] = (byte) lookahead;
    }
    n += in.readNBytes(block, n, block.length - n);
    lookahead = n == block.length ? in.read() : -1;
    for (int i = 0; i < n; i++) {
      scan(block[i] & 0xff);
    }
    if (lookahead < 0) {
      ended = true;
      finish();
    }
  }

  private void scan(int c) {
    if (comment) {
      if (c == '\n') {
        comment = false;
        newline();
      }
      put(c);
      return;
    }
    if (escaped) {
      escaped = false;
      writeByte(c, false);
      return;
    }
    if (c == '\\') {
      escaped = true;
      significant(c);
      put(c);
      return;
    }
    if (quoted) {
      if (c == '"') {
        quoted = false;
      } else if (c == '\n') {
        line++;
      }
      writeByte(c, true);
      return;
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

  private void finish() {
    if (quoted) {
      throw problem(quoteLine, "a quoted string starts here and is never closed");
    }
    if (depth > 0) {
      throw problem(openLine, "'(' opened here is never closed");
    }
    endEntry();
  }

  private void put(int c) {
    pending[pendingEnd++] = (byte) c;
  }

  /** Writes a byte; one of 0x80 or above as its {@code \DDD} escape ({@code DDD} alone after a backslash). */
  private void writeByte(int c, boolean withBackslash) {
    if (c < 0x80) {
      put(c);
      return;
    }
    if (withBackslash) {
      put('\\');
    }
    put('0' + c / 100);
    put('0' + (c / 10) % 10);
    put('0' + c % 10);
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
