package io.github.trafficpolicy.dns.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What changed between two versions of a policy: the JSON changes (a JSON pointer, {@code add}, {@code remove} or
 * {@code replace}, the value before and after) and the drawn nodes they touch ({@link NodeIds}): added (only in the
 * newer), removed (only in the older) and changed (in both, with a change inside). Objects are compared member by
 * member, arrays element by element by position (an entry inserted in the middle of a list shows as the entries after
 * it replaced, and one more added at the end, as their positions in the document do change).
 */
final class PolicyDiff {
  /** One change. */
  record Change(String path, String op, @Nullable JsonNode before, @Nullable JsonNode after) {}

  private final List<Change> changes = new ArrayList<>();

  private PolicyDiff() {}

  /** The changes from {@code from} to {@code to} (documents as JSON trees). */
  static List<Change> changes(JsonNode from, JsonNode to) {
    PolicyDiff d = new PolicyDiff();
    d.compare("", from, to);
    return d.changes;
  }

  /** {@code {"changes": [...], "nodes": {"added", "removed", "changed"}}} into {@code out}. */
  static void write(ObjectNode out, JsonNode fromJson, PolicyDocument from, JsonNode toJson, PolicyDocument to) {
    List<Change> changes = changes(fromJson, toJson);
    ArrayNode list = out.putArray("changes");
    for (Change c : changes) {
      ObjectNode o = list.addObject();
      o.put("path", c.path());
      o.put("op", c.op());
      o.set("before", c.before());
      o.set("after", c.after());
    }
    Set<String> before = nodes(from);
    Set<String> after = nodes(to);
    Set<String> added = new TreeSet<>(after);
    added.removeAll(before);
    Set<String> removed = new TreeSet<>(before);
    removed.removeAll(after);
    Set<String> changed = new TreeSet<>();
    for (Change c : changes) {
      NodeIds.of(c.path()).filter(n -> before.contains(n) && after.contains(n)).ifPresent(changed::add);
    }
    ObjectNode nodes = out.putObject("nodes");
    added.forEach(nodes.putArray("added")::add);
    removed.forEach(nodes.putArray("removed")::add);
    changed.forEach(nodes.putArray("changed")::add);
  }

  /** Every node id of a document: rules, their entries, endpoints. */
  static Set<String> nodes(PolicyDocument doc) {
    Set<String> out = new LinkedHashSet<>();
    for (Map.Entry<RuleId, Rule> r : doc.rules().entrySet()) {
      out.add("rule:" + r.getKey());
      for (int i = 0; i < r.getValue().entries().size(); i++) {
        out.add(NodeIds.entry(r.getKey(), r.getValue(), i));
      }
    }
    doc.endpoints().keySet().forEach(e -> out.add("endpoint:" + e));
    return out;
  }

  private void compare(String path, JsonNode a, JsonNode b) {
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        String p = Problem.childPointer(path, e.getKey());
        JsonNode other = b.get(e.getKey());
        if (other == null) {
          changes.add(new Change(p, "remove", e.getValue(), null));
        } else {
          compare(p, e.getValue(), other);
        }
      }
      for (Map.Entry<String, JsonNode> e : b.properties()) {
        if (!a.has(e.getKey())) {
          changes.add(new Change(Problem.childPointer(path, e.getKey()), "add", null, e.getValue()));
        }
      }
    } else if (a.isArray() && b.isArray()) {
      int common = Math.min(a.size(), b.size());
      for (int i = 0; i < common; i++) {
        compare(Problem.childPointer(path, i), a.get(i), b.get(i));
      }
      // Removals from the end first, so that each path names an element that exists when applied in order.
      for (int i = a.size() - 1; i >= common; i--) {
        changes.add(new Change(Problem.childPointer(path, i), "remove", a.get(i), null));
      }
      for (int i = common; i < b.size(); i++) {
        changes.add(new Change(Problem.childPointer(path, i), "add", null, b.get(i)));
      }
    } else {
      changes.add(new Change(path, "replace", a, b));
    }
  }
}
