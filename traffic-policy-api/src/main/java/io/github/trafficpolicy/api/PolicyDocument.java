package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.internal.CodecHooks;
import io.github.trafficpolicy.api.internal.DocumentParts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A valid Route 53 traffic policy document: its format version, record type, start (an endpoint or a rule),
 * endpoints and rules, in document order.
 *
 * <p>Instances are immutable and always valid: construction runs {@link PolicyValidator} and throws
 * {@link InvalidPolicyException} listing every error. Warnings (for example unreachable rules) are kept in
 * {@link #warnings()}.
 *
 * <p>A document read by {@code PolicyDocumentJson} remembers its {@link #sourceText()}, so writing it back gives
 * the same bytes. Equality ignores the source text: a document read from JSON equals the same document built in
 * code.
 */
public final class PolicyDocument {
  /** Route 53's maximum document length ({@code TrafficPolicyDocument}), in characters. */
  public static final int MAX_LENGTH = 102_400;

  static {
    CodecHooks.install(new CodecHooks.Hooks() {
      @Override
      public PolicyDocument build(Builder builder, String sourceText, List<Problem> warnings) {
        return builder.sourceText(sourceText).warnings(warnings).build();
      }

      @Override
      public ImmutableList<Problem> validate(DocumentParts parts) {
        return PolicyValidator.validate(parts);
      }
    });
  }

  private final FormatVersion formatVersion;
  private final RecordType recordType;
  private final Target start;
  private final ImmutableMap<EndpointId, Endpoint> endpoints;
  private final ImmutableMap<RuleId, Rule> rules;
  private final Optional<String> sourceText;
  private final ImmutableList<Problem> warnings;

  private PolicyDocument(Builder b) {
    this.formatVersion = checkNotNull(b.formatVersion, "formatVersion is not set");
    this.recordType = checkNotNull(b.recordType, "recordType is not set");
    this.start = checkNotNull(b.start, "start is not set");
    this.endpoints = ImmutableMap.copyOf(b.endpoints);
    this.rules = ImmutableMap.copyOf(b.rules);
    this.sourceText = Optional.ofNullable(b.sourceText);
    ImmutableList<Problem> problems = PolicyValidator.validate(formatVersion, recordType, start, endpoints, rules);
    if (problems.stream().anyMatch(Problem::isError)) {
      throw new InvalidPolicyException(problems);
    }
    this.warnings = b.warnings != null ? b.warnings : problems;
  }

  /** A builder for a document written in code. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this document's contents (without its source text). */
  public Builder toBuilder() {
    Builder b = new Builder().formatVersion(formatVersion).recordType(recordType).start(start);
    b.endpoints.putAll(endpoints);
    b.rules.putAll(rules);
    return b;
  }

  /** {@code AWSPolicyFormatVersion}. */
  public FormatVersion formatVersion() {
    return formatVersion;
  }

  /** {@code RecordType}: the DNS type of every answer. */
  public RecordType recordType() {
    return recordType;
  }

  /** {@code StartEndpoint} or {@code StartRule}. */
  public Target start() {
    return start;
  }

  /** {@code Endpoints}, in document order. */
  public ImmutableMap<EndpointId, Endpoint> endpoints() {
    return endpoints;
  }

  /** {@code Rules}, in document order (empty when the document has none). */
  public ImmutableMap<RuleId, Rule> rules() {
    return rules;
  }

  /** The endpoint with this ID; throws if there is none. */
  public Endpoint endpoint(EndpointId id) {
    Endpoint e = endpoints.get(id);
    if (e == null) {
      throw new IllegalArgumentException("no endpoint " + id);
    }
    return e;
  }

  /** The rule with this ID; throws if there is none. */
  public Rule rule(RuleId id) {
    Rule r = rules.get(id);
    if (r == null) {
      throw new IllegalArgumentException("no rule " + id);
    }
    return r;
  }

  /** The exact text this document was read from, if it was read rather than built. */
  public Optional<String> sourceText() {
    return sourceText;
  }

  /**
   * Warnings found when the document was validated (never errors); for a document read from JSON, every warning
   * the reader found, in document order.
   */
  public ImmutableList<Problem> warnings() {
    return warnings;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PolicyDocument d)) {
      return false;
    }
    return formatVersion == d.formatVersion
        && recordType == d.recordType
        && start.equals(d.start)
        && endpoints.equals(d.endpoints)
        && endpoints.keySet().asList().equals(d.endpoints.keySet().asList())
        && rules.equals(d.rules)
        && rules.keySet().asList().equals(d.rules.keySet().asList());
  }

  @Override
  public int hashCode() {
    return Objects.hash(formatVersion, recordType, start, endpoints, rules);
  }

  @Override
  public String toString() {
    return "PolicyDocument{" + formatVersion + ", " + recordType + ", start=" + start + ", " + endpoints.size()
        + " endpoints, " + rules.size() + " rules}";
  }

  /** Builds a {@link PolicyDocument}; {@link #build()} validates the whole document. */
  public static final class Builder {
    private FormatVersion formatVersion = FormatVersion.V2015_10_01;
    private @Nullable RecordType recordType;
    private @Nullable Target start;
    private final Map<EndpointId, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<RuleId, Rule> rules = new LinkedHashMap<>();
    private @Nullable String sourceText;
    private @Nullable ImmutableList<Problem> warnings;

    private Builder() {}

    /** {@code AWSPolicyFormatVersion}; {@code 2015-10-01} unless set. */
    public Builder formatVersion(FormatVersion formatVersion) {
      this.formatVersion = checkNotNull(formatVersion, "formatVersion");
      return this;
    }

    /** {@code RecordType}. */
    public Builder recordType(RecordType recordType) {
      this.recordType = checkNotNull(recordType, "recordType");
      return this;
    }

    /** {@code StartEndpoint} or {@code StartRule}. */
    public Builder start(Target start) {
      this.start = checkNotNull(start, "start");
      return this;
    }

    /** Starts at the rule with this ID. */
    public Builder startRule(String ruleId) {
      return start(Target.rule(ruleId));
    }

    /** Starts at the endpoint with this ID. */
    public Builder startEndpoint(String endpointId) {
      return start(Target.endpoint(endpointId));
    }

    /** Adds (or replaces) an endpoint. */
    public Builder endpoint(String id, Endpoint endpoint) {
      endpoints.put(EndpointId.of(id), checkNotNull(endpoint, "endpoint"));
      return this;
    }

    /** Adds (or replaces) a rule. */
    public Builder rule(String id, Rule rule) {
      rules.put(RuleId.of(id), checkNotNull(rule, "rule"));
      return this;
    }

    /**
     * The exact text the document was read from, which writing it back reproduces. Only the JSON codec sets it
     * (through {@link CodecHooks}), with the text it parsed the document from.
     */
    Builder sourceText(String sourceText) {
      this.sourceText = checkNotNull(sourceText, "sourceText");
      return this;
    }

    /**
     * Every warning found while reading the document (syntax warnings and the validator's), which
     * {@link PolicyDocument#warnings()} then returns instead of the validator's alone. All must be warnings. Only
     * the JSON codec sets them (through {@link CodecHooks}).
     */
    Builder warnings(List<Problem> warnings) {
      ImmutableList<Problem> w = ImmutableList.copyOf(warnings);
      checkArgument(w.stream().noneMatch(Problem::isError), "warnings must not contain errors: %s", w);
      this.warnings = w;
      return this;
    }

    /** The validated document; throws {@link InvalidPolicyException} listing every error. */
    public PolicyDocument build() {
      return new PolicyDocument(this);
    }
  }
}
