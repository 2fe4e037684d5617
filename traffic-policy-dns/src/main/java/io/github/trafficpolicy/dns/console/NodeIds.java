package io.github.trafficpolicy.dns.console;

import io.github.trafficpolicy.api.PolicyValidator;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The ids the console's UI gives the nodes of a drawn policy: {@code rule:<ruleId>}, {@code endpoint:<endpointId>},
 * and a rule's entries {@code rule:<ruleId>/<member>/<index>} ({@code rule:geo/Locations/2}, {@code rule:w/Items/0};
 * failover's {@code rule:fo/Primary} and {@code rule:fo/Secondary}), from JSON pointers into a document.
 */
final class NodeIds {
  private static final Set<String> LISTS = Set.of("Locations", "GeoproximityLocations", "Regions", "Items");

  private NodeIds() {}

  /**
   * The node a JSON pointer is in: {@code /Rules/geo/Locations/2/HealthCheck} is in {@code rule:geo/Locations/2},
   * {@code /Endpoints/a/Value} in {@code endpoint:a}; empty for the document's own members ({@code /StartRule}).
   */
  static Optional<String> of(String pointer) {
    List<String> t = tokens(pointer);
    if (t.size() >= 2 && t.get(0).equals("Endpoints")) {
      return Optional.of("endpoint:" + t.get(1));
    }
    if (t.size() < 2 || !t.get(0).equals("Rules")) {
      return Optional.empty();
    }
    String rule = "rule:" + t.get(1);
    if (t.size() >= 3 && (t.get(2).equals("Primary") || t.get(2).equals("Secondary"))) {
      return Optional.of(rule + "/" + t.get(2));
    }
    if (t.size() >= 4 && LISTS.contains(t.get(2)) && t.get(3).matches("\\d{1,9}")) {
      return Optional.of(rule + "/" + t.get(2) + "/" + t.get(3));
    }
    return Optional.of(rule);
  }

  /** The node id of entry {@code index} of {@code rule}. */
  static String entry(RuleId id, Rule rule, int index) {
    return of(PolicyValidator.entryPath(Problem.pointer("Rules", id.toString()), rule, index)).orElseThrow();
  }

  /** The reference tokens of a JSON pointer, unescaped. */
  static List<String> tokens(String pointer) {
    List<String> out = new ArrayList<>();
    if (pointer.isEmpty()) {
      return out;
    }
    for (String t : pointer.substring(1).split("/", -1)) {
      out.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return out;
  }
}
