package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * One version of a traffic policy: Route 53's {@code TrafficPolicy} (id, version 1…1000, name, optional comment,
 * document). The record type is the document's.
 */
public record TrafficPolicy(String id, int version, String name, Optional<String> comment, PolicyDocument document) {
  /** The highest version number Route 53 allows. */
  public static final int MAX_VERSION = 1000;

  public TrafficPolicy {
    checkNotNull(id, "id");
    checkArgument(!id.isEmpty() && id.length() <= 36, "id must have 1 to 36 characters but was '%s'", id);
    checkArgument(version >= 1 && version <= MAX_VERSION, "version must be in [1, 1000] but was %s", version);
    checkNotNull(name, "name");
    checkArgument(!name.isEmpty() && name.length() <= 512, "name must have 1 to 512 characters");
    checkNotNull(comment, "comment (use Optional.empty())");
    checkArgument(comment.map(String::length).orElse(0) <= 1024, "comment must have at most 1024 characters");
    checkNotNull(document, "document");
  }

  /** The policy's type: its document's record type. */
  public RecordType type() {
    return document.recordType();
  }
}
