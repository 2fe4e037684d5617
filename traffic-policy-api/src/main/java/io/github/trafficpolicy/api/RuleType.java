package io.github.trafficpolicy.api;

import java.util.Optional;

/** The {@code RuleType} of a rule; the literals are lower case, and geolocation is {@code geo}. */
public enum RuleType {
  FAILOVER("failover"),
  GEO("geo"),
  GEOPROXIMITY("geoproximity"),
  LATENCY("latency"),
  MULTIVALUE("multivalue"),
  WEIGHTED("weighted");

  private final String text;

  RuleType(String text) {
    this.text = text;
  }

  /** The literal as it appears in a document. */
  public String text() {
    return text;
  }

  /** The type with this literal, if any. */
  public static Optional<RuleType> fromText(String text) {
    for (RuleType t : values()) {
      if (t.text.equals(text)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return text;
  }
}
