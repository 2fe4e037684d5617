package io.github.trafficpolicy.dns.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.dns.InputLimits;
import io.github.trafficpolicy.engine.lifecycle.RegistryError;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code record import FILE}: creates or moves many policy records in one atomic change (one write to the registry),
 * from CSV ({@code zone,name,ttl,policy,version} per line) or JSON (an array of objects with those members). Every
 * row is checked first; if any is bad, nothing is written and every bad row is reported with its line.
 */
@Command(name = "import",
    description = {
      "Create or update many policy records in one atomic change. FILE is CSV, one record per line:",
      "  zone,name,ttl,policy,version      (policy: ID or name; optional header line; # comments)",
      "or JSON: [ {\"zone\": …, \"name\": …, \"ttl\": …, \"policy\": …, \"version\": …}, … ].",
      "A new name is created; an existing record is bound to the version with the TTL (its old version joins",
      "its history). Every row is checked first: if any is bad, nothing changes and each bad row is listed."
    })
final class RecordImport extends RegistryOptions.Call {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> COLUMNS = List.of("zone", "name", "ttl", "policy", "version");
  /** How many bad rows are listed before the rest are only counted. */
  private static final int SHOWN_PROBLEMS = 100;

  @CommandLine.Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "FILE", description = "The CSV or JSON file (JSON when it starts with '[').")
  Path file;

  @Option(names = "--dry-run", description = "Check every row against the registry; write nothing.")
  boolean dryRun;

  /** One row: its line, where it is in the file (for messages) and what it says. */
  private record Row(int line, String where, String zone, String name, String ttl, String policy, String version) {}

  /** A bad row: its line (problems are listed in file order) and what is wrong, with its place. */
  private record Problem(int line, String message) {}

  @Override
  int run(TrafficPolicyRegistry registry) throws IOException {
    String text = RegistryOptions.readText(file, InputLimits.RECORD_IMPORT_BYTES, "a record import file",
        RegistryError.INVALID_INPUT);
    List<Problem> problems = new ArrayList<>();
    List<Row> rows = text.stripLeading().startsWith("[") ? jsonRows(text, problems) : csvRows(text, problems);
    int unreadable = problems.size();
    List<PolicyRecord> records = new ArrayList<>();
    List<Row> recordRows = new ArrayList<>();
    for (Row row : rows) {
      try {
        records.add(new PolicyRecord(row.zone(), row.name(), number(row.ttl(), "ttl"),
            RegistryOptions.policyId(registry, row.policy()), (int) number(row.version(), "version")));
        recordRows.add(row);
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(row.line(), row.where() + ": " + e.getMessage()));
      }
    }
    registry.checkRecords(records).forEach((i, e) ->
        problems.add(new Problem(recordRows.get(i).line(), recordRows.get(i).where() + ": " + e.getMessage())));
    if (!problems.isEmpty()) {
      problems.sort(Comparator.comparingInt(Problem::line));
      throw new RegistryException(RegistryError.INVALID_INPUT, problems.size() + " of " + (rows.size() + unreadable)
          + " rows of " + file + " cannot be imported; nothing was changed:" + list(problems));
    }
    long updated = records.stream().filter(r -> registry.state().record(r.name()).isPresent()).count();
    long created = records.size() - updated;
    if (!dryRun) {
      registry.putRecords(records);
    }
    if (options.json) {
      ObjectNode n = RegistryOptions.object();
      n.put("created", created);
      n.put("updated", updated);
      n.put("dryRun", dryRun);
      n.put("generation", registry.state().generation());
      RegistryOptions.print(out(), n);
    } else {
      out().println((dryRun ? "would import " : "imported ") + records.size() + " record"
          + (records.size() == 1 ? "" : "s") + " from " + file + ": " + created + " created, " + updated
          + " updated" + (dryRun ? " (dry run: nothing written)" : ", registry generation "
          + registry.state().generation()));
      out().flush();
    }
    return TrafficPolicyCommand.OK;
  }

  private static String list(List<Problem> problems) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < problems.size() && i < SHOWN_PROBLEMS; i++) {
      b.append("\n  ").append(problems.get(i).message());
    }
    if (problems.size() > SHOWN_PROBLEMS) {
      b.append("\n  … and ").append(problems.size() - SHOWN_PROBLEMS).append(" more");
    }
    return b.toString();
  }

  private static long number(String text, String what) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be a whole number but was '" + text + "'");
    }
  }

  /**
   * The CSV dialect of the input tables: fields separated by commas and trimmed, no quoting; blank lines and lines
   * starting with {@code #} are skipped; a first line starting with {@code zone} is the header.
   */
  private List<Row> csvRows(String text, List<Problem> problems) {
    List<Row> rows = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      String where = file + ":" + (i + 1);
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (rows.isEmpty() && problems.isEmpty() && f[0].strip().equalsIgnoreCase("zone")) {
        continue;
      }
      if (f.length != COLUMNS.size()) {
        problems.add(new Problem(i + 1, where + ": expected 5 fields (" + String.join(",", COLUMNS)
            + ") but found " + f.length));
        continue;
      }
      rows.add(new Row(i + 1, where, f[0].strip(), f[1].strip(), f[2].strip(), f[3].strip(), f[4].strip()));
    }
    return rows;
  }

  /** A JSON array of objects; each row's place is its line and its index ({@code FILE:LINE /INDEX}). */
  private List<Row> jsonRows(String text, List<Problem> problems) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new RegistryException(RegistryError.INVALID_INPUT, file + ": a JSON import is an array of objects");
      }
      int index = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
        if (t == null) {
          throw new RegistryException(RegistryError.INVALID_INPUT, file + ": the array is not closed");
        }
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        String where = file + ":" + line + " /" + index;
        JsonNode n = p.readValueAsTree();
        if (n == null || !n.isObject()) {
          problems.add(new Problem(line, where + ": must be an object with " + String.join(", ", COLUMNS)));
          continue;
        }
        List<String> missing = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String c : COLUMNS) {
          JsonNode v = n.get(c);
          if (v == null || !(v.isTextual() || v.isIntegralNumber())) {
            missing.add(c);
          } else {
            values.add(v.asText());
          }
        }
        List<String> unknown = new ArrayList<>();
        n.fieldNames().forEachRemaining(f -> {
          if (!COLUMNS.contains(f)) {
            unknown.add(f);
          }
        });
        List<String> wrong = new ArrayList<>();
        if (!missing.isEmpty()) {
          wrong.add("missing or not a string or number: " + String.join(", ", missing));
        }
        if (!unknown.isEmpty()) {
          wrong.add("unknown members: " + String.join(", ", unknown) + " (known: " + String.join(", ", COLUMNS) + ")");
        }
        if (!wrong.isEmpty()) {
          problems.add(new Problem(line, where + ": " + String.join("; ", wrong)));
          continue;
        }
        rows.add(new Row(line, where, values.get(0), values.get(1), values.get(2), values.get(3), values.get(4)));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new RegistryException(RegistryError.INVALID_INPUT, file + ":" + e.getLocation().getLineNr()
          + ": not valid JSON: " + e.getOriginalMessage());
    }
    return rows;
  }
}
