package io.github.trafficpolicy.api;

import java.util.regex.Pattern;

/** Patterns shared by {@link RecordData} parsing (interfaces cannot hold private constants). */
final class RecordDataSyntax {
  /** A host-name label: letters, digits, hyphen, underscore; at most 63 characters; no hyphen at either end. */
  static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

  private RecordDataSyntax() {}
}
