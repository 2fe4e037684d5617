package io.github.trafficpolicy.api.json;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Path;

/**
 * The single JSON entry point: reads Route 53 traffic policy documents ({@code read}, {@code check}) and writes
 * them ({@link #write}).
 *
 * <h2>Reading</h2>
 * A document is read in full and every problem is reported at once, each with a JSON-pointer path (RFC 6901), a
 * {@link io.github.trafficpolicy.api.ProblemCode} and a message: malformed JSON (with line and column), documents
 * over {@value PolicyDocument#MAX_LENGTH} characters (Unicode code points), wrong JSON types, unknown, duplicate
 * and missing members, out-of-range values, invalid enum literals, both or neither of
 * {@code StartRule}/{@code StartEndpoint} and of {@code EndpointReference}/{@code RuleReference}, and every
 * semantic rule of {@link io.github.trafficpolicy.api.PolicyValidator}. {@code read} returns the document or
 * throws {@link InvalidPolicyException}; {@code check} returns a {@link PolicyCheck} and never throws for bad
 * input. No other exception escapes for any input.
 *
 * <p>Token styles seen in real documents are all accepted: {@code Weight} and {@code Bias} as JSON numbers or
 * strings of digits ({@code 3}, {@code "3"}, {@code "-10"}); {@code EvaluateTargetHealth} and {@code IsDefault}
 * as JSON booleans or the strings {@code "true"}/{@code "false"}; {@code Latitude}/{@code Longitude} as strings or
 * numbers. Numeric {@code Weight} is accepted although Route 53 does not document it (numeric {@code Bias} is seen
 * in console output).
 *
 * <h2>Choices where Route 53 is undocumented</h2>
 * <ul>
 *   <li>Coordinates with more than two decimals are an error by default (the API reference), or truncated toward
 *       zero with a {@code TRUNCATED_COORDINATE} warning with {@link Options#lenientCoordinates()} (the 2022
 *       Developer Guide's console behaviour).
 *   <li>Unknown members are errors by default; with {@link Options#unknownMembersAsWarnings()} they are warnings,
 *       ignored by the model, and kept in the source text (so writing the document back keeps them).
 *   <li>{@code Failover} rules need both {@code Primary} and {@code Secondary}; weighted items need {@code Weight};
 *       {@code Endpoints} is required; {@code Rules} is optional.
 * </ul>
 *
 * <h2>Writing</h2>
 * {@link #write} returns a document's {@link PolicyDocument#sourceText() source text} when it was read, so a
 * document read and written back is byte-identical whatever token styles it used. A document built in code is
 * written as canonical, pretty JSON: two-space indentation, members in the order of the AWS format examples
 * ({@code AWSPolicyFormatVersion}, {@code RecordType}, {@code StartRule}/{@code StartEndpoint}, {@code Endpoints},
 * {@code Rules}; in entries the reference first), {@code Weight}, {@code Bias}, {@code Latitude} and
 * {@code Longitude} as strings, {@code EvaluateTargetHealth} and {@code IsDefault} as JSON booleans,
 * {@code IsDefault} only when true, {@code Bias} always, and geoproximity locations in the syntax of the document's
 * format version. Reading the canonical text gives an equal document. A built document longer than
 * {@value PolicyDocument#MAX_LENGTH} characters is still written, but reading it back reports
 * {@code DOCUMENT_TOO_LARGE}.
 */
public final class PolicyDocumentJson {
  private static final PolicyDocumentReader DEFAULT = new PolicyDocumentReader(Options.defaults());

  private PolicyDocumentJson() {}

  /**
   * Reader options for behaviour Route 53 does not document.
   *
   * @param lenientCoordinates truncate latitudes and longitudes with more than two decimals (with a warning)
   *     instead of rejecting them
   * @param unknownMembersAsWarnings report members the format does not define as warnings instead of errors
   */
  public record Options(boolean lenientCoordinates, boolean unknownMembersAsWarnings) {
    /** Strict: more than two decimals and unknown members are errors. */
    public static Options defaults() {
      return new Options(false, false);
    }

    /** These options with {@code lenientCoordinates} set. */
    public Options withLenientCoordinates(boolean lenient) {
      return new Options(lenient, unknownMembersAsWarnings);
    }

    /** These options with {@code unknownMembersAsWarnings} set. */
    public Options withUnknownMembersAsWarnings(boolean asWarnings) {
      return new Options(lenientCoordinates, asWarnings);
    }
  }

  /** A reader applying these options. */
  public static PolicyDocumentReader reader(Options options) {
    return new PolicyDocumentReader(checkNotNull(options, "options"));
  }

  /** The document in {@code text}; throws {@link InvalidPolicyException} listing every problem. */
  public static PolicyDocument read(String text) {
    return DEFAULT.read(text);
  }

  /** The document read from {@code reader} (not closed); throws {@link InvalidPolicyException}. */
  public static PolicyDocument read(Reader reader) {
    return DEFAULT.read(reader);
  }

  /** The document read from UTF-8 {@code in} (not closed); throws {@link InvalidPolicyException}. */
  public static PolicyDocument read(InputStream in) {
    return DEFAULT.read(in);
  }

  /**
   * The document in a UTF-8 file; throws {@link InvalidPolicyException} (also when the file cannot be read, with a
   * {@code MALFORMED_JSON} problem saying why).
   */
  public static PolicyDocument read(Path file) {
    return DEFAULT.read(file);
  }

  /** Every problem of the document in {@code text}, and the document when it has no errors. Never throws. */
  public static PolicyCheck check(String text) {
    return DEFAULT.check(text);
  }

  /** Every problem of the document read from {@code reader}, and the document when it has no errors. */
  public static PolicyCheck check(Reader reader) {
    return DEFAULT.check(reader);
  }

  /** Every problem of the document read from UTF-8 {@code in}, and the document when it has no errors. */
  public static PolicyCheck check(InputStream in) {
    return DEFAULT.check(in);
  }

  /** Every problem of the document in a UTF-8 file, and the document when it has no errors. */
  public static PolicyCheck check(Path file) {
    return DEFAULT.check(file);
  }

  /**
   * The document as JSON: its exact source text when it was read, else canonical pretty JSON (see the class
   * documentation).
   */
  public static String write(PolicyDocument document) {
    checkNotNull(document, "document");
    return document.sourceText().orElseGet(() -> DocumentWriter.write(document));
  }

  /** Canonical pretty JSON for the document, ignoring any source text. */
  public static String writeCanonical(PolicyDocument document) {
    checkNotNull(document, "document");
    return DocumentWriter.write(document);
  }
}
