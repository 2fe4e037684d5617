package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The small CSV dialect of every input table: one row per line, fields separated by commas and trimmed, no quoting;
 * blank lines and lines starting with {@code #} are ignored; an optional header line is recognised by its first
 * field (e.g. {@code network}). Rows are parsed one by one and every bad line is collected, then reported together
 * in one {@link InvalidTableException}.
 */
final class CsvTable {
  private final String source;
  private final ImmutableList<Row> rows;
  private final List<InvalidTableException.LineProblem> problems = new ArrayList<>();

  private CsvTable(String source, ImmutableList<Row> rows) {
    this.source = source;
    this.rows = rows;
  }

  /** One data line: its number (from 1) and its trimmed fields. */
  record Row(int line, ImmutableList<String> fields) {
    /** The field at {@code i}, or {@code ""} when the line has fewer fields. */
    String field(int i) {
      return i < fields.size() ? fields.get(i) : "";
    }
  }

  /**
   * Reads the file at {@code path} (UTF-8); messages name it by {@code path}. A file that is not UTF-8 text is an
   * {@link InvalidTableException} naming the first line that is not.
   */
  static CsvTable read(Path path, String headerFirstField) throws IOException {
    checkNotNull(path, "path");
    byte[] bytes = Files.readAllBytes(path);
    CharBuffer chars = CharBuffer.allocate(bytes.length);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    CoderResult result = decoder.decode(in, chars, true);
    if (!result.isError()) {
      result = decoder.flush(chars);
    }
    if (result.isError()) {
      int line = 1;
      for (int i = 0; i < in.position(); i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new InvalidTableException(path.toString(),
          List.of(new InvalidTableException.LineProblem(line, "not UTF-8 text")));
    }
    chars.flip();
    return read(path.toString(), new StringReader(chars.toString()), headerFirstField);
  }

  /** Reads text; messages name it {@code source}. */
  static CsvTable parse(String source, String text, String headerFirstField) {
    checkNotNull(text, "text");
    try {
      return read(source, new StringReader(text), headerFirstField);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static CsvTable read(String source, Reader reader, String headerFirstField) throws IOException {
    checkNotNull(source, "source");
    checkNotNull(reader, "reader");
    BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
    ImmutableList.Builder<Row> rows = ImmutableList.builder();
    boolean first = true;
    int number = 0;
    String line;
    while ((line = in.readLine()) != null) {
      number++;
      if (number == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      ImmutableList<String> fields = ImmutableList.copyOf(s.split(",", -1)).stream()
          .map(String::strip)
          .collect(ImmutableList.toImmutableList());
      if (first && fields.get(0).toLowerCase(Locale.ROOT).equals(headerFirstField)) {
        first = false;
        continue;
      }
      first = false;
      rows.add(new Row(number, fields));
    }
    return new CsvTable(source, rows.build());
  }

  /** The data rows, in file order. */
  ImmutableList<Row> rows() {
    return rows;
  }

  /** Records a problem with a line. */
  void problem(int line, String message) {
    problems.add(new InvalidTableException.LineProblem(line, message));
  }

  /** Throws an {@link InvalidTableException} listing every recorded problem, if there is any. */
  void throwIfProblems() {
    if (!problems.isEmpty()) {
      problems.sort((a, b) -> Integer.compare(a.line(), b.line()));
      throw new InvalidTableException(source, problems);
    }
  }
}
