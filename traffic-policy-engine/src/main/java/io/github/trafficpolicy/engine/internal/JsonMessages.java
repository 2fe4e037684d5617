package io.github.trafficpolicy.engine.internal;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Why a JSON text could not be parsed, in words for people: the one place the engine's and the server's readers of
 * JSON files (policy test files, the health-status file, the server configuration, health checks) turn a parser
 * error into a message. It gives the line and column and the parser's own sentence, never the parser's internals
 * (its "Source: ..." description of the input). Internal: not part of the library's API, public only because the
 * dns module's readers use it too.
 */
public final class JsonMessages {
  private JsonMessages() {}

  /** {@code not valid JSON (line L, column C): WHAT}; without the place when the parser does not know it. */
  public static String notValidJson(JsonProcessingException e) {
    checkNotNull(e, "e");
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    return "not valid JSON" + where + ": " + e.getOriginalMessage();
  }
}
