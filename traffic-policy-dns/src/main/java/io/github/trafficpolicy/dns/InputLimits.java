package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The largest input files the server and the command read, and a reader that refuses a larger file before reading
 * it: a mistaken or hostile input gets a clear message, never an {@link OutOfMemoryError}.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>input</th><th>limit</th></tr>
 *   <tr><td>policy document</td><td>{@value #POLICY_DOCUMENT_BYTES} bytes (Route 53 allows 102,400 characters,
 *       at most 4 bytes each in UTF-8)</td></tr>
 *   <tr><td>serve configuration, health-checks configuration</td><td>{@value #CONFIGURATION_BYTES} bytes</td></tr>
 *   <tr><td>zone file</td><td>{@value #ZONE_FILE_BYTES} bytes</td></tr>
 *   <tr><td>{@code record import} file</td><td>{@value #RECORD_IMPORT_BYTES} bytes</td></tr>
 * </table>
 */
public final class InputLimits {
  /** The largest policy document file read: 4 × 102,400 bytes, the most 102,400 UTF-8 characters can take. */
  public static final long POLICY_DOCUMENT_BYTES = 4L * 102_400;
  /** The largest configuration file read. */
  public static final long CONFIGURATION_BYTES = 4L << 20;
  /** The largest zone file read. */
  public static final long ZONE_FILE_BYTES = 64L << 20;
  /** The largest {@code record import} file read (a million records at ~70 bytes a row fit). */
  public static final long RECORD_IMPORT_BYTES = 256L << 20;

  private InputLimits() {}

  /** A file (or resource) over its size limit. The message says its size and the limit. */
  public static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1;

    TooLargeException(String message) {
      super(message);
    }
  }

  /**
   * The bytes of {@code file}, refusing a file of more than {@code maxBytes} before reading it.
   *
   * @param what what the file is, for the message ("a zone file")
   * @throws TooLargeException when it is larger
   */
  public static byte[] read(Path file, long maxBytes, String what) throws IOException {
    checkNotNull(file, "file");
    checkNotNull(what, "what");
    long size = Files.size(file);
    if (size > maxBytes) {
      throw tooLarge(size + "", maxBytes, what);
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, maxBytes, what);
    }
  }

  /**
   * Opens {@code file} for reading as a stream, refusing a file of more than {@code maxBytes} before reading it;
   * should the file grow while it is read, reading more than {@code maxBytes} throws {@link TooLargeException}.
   *
   * @param what what the file is, for the message ("a zone file")
   * @throws TooLargeException when it is larger
   */
  public static InputStream open(Path file, long maxBytes, String what) throws IOException {
    checkNotNull(file, "file");
    checkNotNull(what, "what");
    long size = Files.size(file);
    if (size > maxBytes) {
      throw tooLarge(size + "", maxBytes, what);
    }
    return new FilterInputStream(Files.newInputStream(file)) {
      private long total;

      @Override
      public int read() throws IOException {
        int b = super.read();
        count(b < 0 ? 0 : 1);
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        count(Math.max(n, 0));
        return n;
      }

      private void count(int n) throws TooLargeException {
        total += n;
        if (total > maxBytes) {
          throw tooLarge("more than " + String.format(Locale.ROOT, "%,d", maxBytes), maxBytes, what);
        }
      }
    };
  }

  /**
   * The text of the UTF-8 file {@code file} (strictly decoded), refusing a file of more than {@code maxBytes}
   * before reading it.
   *
   * @throws TooLargeException when it is larger
   * @throws java.nio.charset.CharacterCodingException when it is not UTF-8
   */
  public static String readUtf8(Path file, long maxBytes, String what) throws IOException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(read(file, maxBytes, what)))
        .toString();
  }

  /** At most {@code maxBytes} of {@code in} (not closed); throws {@link TooLargeException} when there is more. */
  public static byte[] read(InputStream in, long maxBytes, String what) throws IOException {
    checkNotNull(in, "in");
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (bytes.length > maxBytes) {
      throw tooLarge("more than " + String.format(Locale.ROOT, "%,d", maxBytes), maxBytes, what);
    }
    return bytes;
  }

  private static TooLargeException tooLarge(String size, long maxBytes, String what) {
    String shown = size.startsWith("more") ? size : String.format(Locale.ROOT, "%,d", Long.parseLong(size));
    return new TooLargeException("is " + shown + " bytes, over the limit of " + String.format(Locale.ROOT, "%,d",
        maxBytes) + " bytes for " + what + "; it was not read");
  }
}
