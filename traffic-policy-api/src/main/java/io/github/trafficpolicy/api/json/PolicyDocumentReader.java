package io.github.trafficpolicy.api.json;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.ProblemCode;
import io.github.trafficpolicy.api.internal.CodecHooks;
import io.github.trafficpolicy.api.internal.DocumentParts;
import io.github.trafficpolicy.api.internal.IoMessages;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Route 53 traffic policy documents with a fixed set of {@link PolicyDocumentJson.Options}; obtain one from
 * {@link PolicyDocumentJson#reader(PolicyDocumentJson.Options)}. Immutable and thread-safe.
 *
 * <p>{@code read} methods return the document or throw {@link InvalidPolicyException} listing every problem;
 * {@code check} methods never throw for bad input and return a {@link PolicyCheck}. Streams and readers are read
 * to the end but not closed. Byte input must be UTF-8.
 */
public final class PolicyDocumentReader {
  /** The model's hooks for this codec (source text, reader warnings, partial validation). */
  private static final CodecHooks.Hooks HOOKS = CodecHooks.forCodec();
  /**
   * The most characters read from a stream, reader or file. Longer input is not parsed at all; it is reported as
   * {@link ProblemCode#DOCUMENT_TOO_LARGE} (a document may have at most {@value PolicyDocument#MAX_LENGTH}).
   */
  static final int MAX_READ = 16 * PolicyDocument.MAX_LENGTH;

  private final PolicyDocumentJson.Options options;

  PolicyDocumentReader(PolicyDocumentJson.Options options) {
    this.options = checkNotNull(options, "options");
  }

  /** The options this reader applies. */
  public PolicyDocumentJson.Options options() {
    return options;
  }

  /** The document in {@code text}; throws {@link InvalidPolicyException} listing every problem. */
  public PolicyDocument read(String text) {
    return orThrow(check(text));
  }

  /** The document read from {@code reader}; throws {@link InvalidPolicyException} listing every problem. */
  public PolicyDocument read(Reader reader) {
    return orThrow(check(reader));
  }

  /** The document read from UTF-8 {@code in}; throws {@link InvalidPolicyException} listing every problem. */
  public PolicyDocument read(InputStream in) {
    return orThrow(check(in));
  }

  /** The document in the UTF-8 file; throws {@link InvalidPolicyException} listing every problem. */
  public PolicyDocument read(Path file) {
    return orThrow(check(file));
  }

  /** Every problem of the document in {@code text}, and the document if it has no errors. */
  public PolicyCheck check(String text) {
    checkNotNull(text, "text");
    if (text.length() > MAX_READ) {
      return tooLarge();
    }
    return checkText(text);
  }

  /** Every problem of the document read from {@code reader}, and the document if it has no errors. */
  public PolicyCheck check(Reader reader) {
    checkNotNull(reader, "reader");
    StringBuilder sb = new StringBuilder();
    char[] buf = new char[8192];
    try {
      int n;
      while ((n = reader.read(buf)) >= 0) {
        sb.append(buf, 0, n);
        if (sb.length() > MAX_READ) {
          return tooLarge();
        }
      }
    } catch (IOException e) {
      return failed(Problem.error("", ProblemCode.MALFORMED_JSON,
          "the document could not be read: " + IoMessages.describe(e)));
    }
    return checkText(sb.toString());
  }

  /** Every problem of the document read from UTF-8 {@code in}, and the document if it has no errors. */
  public PolicyCheck check(InputStream in) {
    checkNotNull(in, "in");
    byte[] bytes;
    try {
      bytes = in.readNBytes(4 * MAX_READ + 1);
    } catch (IOException e) {
      return failed(Problem.error("", ProblemCode.MALFORMED_JSON,
          "the document could not be read: " + IoMessages.describe(e)));
    }
    return checkBytes(bytes);
  }

  /** Every problem of the document in the UTF-8 file, and the document if it has no errors. */
  public PolicyCheck check(Path file) {
    checkNotNull(file, "file");
    try (InputStream in = Files.newInputStream(file)) {
      return check(in);
    } catch (IOException e) {
      return failed(Problem.error("", ProblemCode.MALFORMED_JSON,
          "the file " + file + " could not be read: " + IoMessages.describe(e)));
    }
  }

  private PolicyCheck checkBytes(byte[] bytes) {
    if (bytes.length > 4 * MAX_READ) {
      return tooLarge();
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return failed(Problem.error("", ProblemCode.MALFORMED_JSON, "the document is not valid UTF-8 text"));
    }
    if (text.length() > MAX_READ) {
      return tooLarge();
    }
    return checkText(text);
  }

  private static PolicyCheck tooLarge() {
    return failed(Problem.error("", ProblemCode.DOCUMENT_TOO_LARGE, "the document is far longer than the "
        + PolicyDocument.MAX_LENGTH + " characters Route 53 allows; it was not parsed"));
  }

  private static PolicyCheck failed(Problem p) {
    return new PolicyCheck(ImmutableList.of(p), Optional.empty());
  }

  private PolicyCheck checkText(String text) {
    List<Problem> problems = new ArrayList<>();
    int length = text.codePointCount(0, text.length());
    if (length > PolicyDocument.MAX_LENGTH) {
      problems.add(Problem.error("", ProblemCode.DOCUMENT_TOO_LARGE, "the document has " + length
          + " characters; Route 53 allows at most " + PolicyDocument.MAX_LENGTH));
    }
    JsonTree.Parsed parsed = JsonTree.parse(text);
    problems.addAll(parsed.problems());
    DocumentBinder binder = new DocumentBinder(options);
    parsed.root().ifPresent(binder::bind);
    problems.addAll(binder.problems());
    if (parsed.root().isPresent()) {
      problems.addAll(HOOKS.validate(binder.parts()));
    }
    ImmutableList<Problem> sorted = inDocumentOrder(problems, parsed.offsets());
    if (sorted.stream().anyMatch(Problem::isError) || !binder.complete()) {
      if (sorted.stream().noneMatch(Problem::isError)) {
        throw new AssertionError("incomplete binding without an error: " + sorted);
      }
      return new PolicyCheck(sorted, Optional.empty());
    }
    DocumentParts parts = binder.parts();
    PolicyDocument.Builder b = PolicyDocument.builder()
        .formatVersion(parts.formatVersion().orElseThrow())
        .recordType(parts.recordType().orElseThrow())
        .start(parts.start().orElseThrow());
    parts.endpoints().forEach((id, e) -> b.endpoint(id.value(), e));
    parts.rules().forEach((id, r) -> b.rule(id.value(), r));
    return new PolicyCheck(sorted, Optional.of(HOOKS.build(b, text, sorted)));
  }

  /**
   * The problems sorted by where their path starts in the text (the nearest existing ancestor for a path that does
   * not exist, such as a missing member); problems at the same place keep their order.
   */
  private static ImmutableList<Problem> inDocumentOrder(List<Problem> problems, Map<String, Long> offsets) {
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparingLong(p -> offset(p.path(), offsets)));
    return ImmutableList.copyOf(sorted);
  }

  private static long offset(String path, Map<String, Long> offsets) {
    String p = path;
    while (true) {
      Long o = offsets.get(p);
      if (o != null) {
        return o;
      }
      int slash = p.lastIndexOf('/');
      if (slash < 0) {
        return 0;
      }
      p = p.substring(0, slash);
    }
  }

  private static PolicyDocument orThrow(PolicyCheck check) {
    if (check.document().isPresent()) {
      return check.document().get();
    }
    throw new InvalidPolicyException(check.problems());
  }
}
