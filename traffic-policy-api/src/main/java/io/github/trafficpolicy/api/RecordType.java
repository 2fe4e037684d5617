package io.github.trafficpolicy.api;

import java.util.Optional;

/** The DNS type of every record a policy produces ({@code RecordType}). */
public enum RecordType {
  A,
  AAAA,
  CAA,
  CNAME,
  MX,
  NAPTR,
  PTR,
  SPF,
  SRV,
  TXT;

  /** The type with this exact (upper-case) name, if it is one a policy may use. */
  public static Optional<RecordType> fromText(String text) {
    for (RecordType t : values()) {
      if (t.name().equals(text)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
