package io.github.trafficpolicy.dns.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import io.github.trafficpolicy.engine.lifecycle.Usage;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code traffic-policy usage VALUE}: where an endpoint value or health-check ID is used. */
@Command(name = "usage", mixinStandardHelpOptions = true,
    description = {
      "List the policies, versions and records that use an endpoint value or a health-check ID.",
      "An endpoint matches when its Value, or one whitespace-separated field of it, equals VALUE",
      "(ignoring case, quotes and a trailing dot). Exit code 1 when nothing uses it."
    })
final class UsageCommand extends RegistryOptions.Call {
  @Parameters(index = "0", paramLabel = "VALUE", description = "An endpoint value (address, host name …) or health-check ID.")
  String value;

  @Override
  int run(TrafficPolicyRegistry r) {
    List<Usage> usages = r.usages(value);
    if (options.json) {
      ArrayNode a = RegistryOptions.array();
      for (Usage u : usages) {
        ObjectNode n = a.addObject();
        n.put("policy", u.version().policyId());
        n.put("name", u.policyName());
        n.put("version", u.version().version());
        n.put("kind", u.kind().name());
        n.put("path", u.path());
        n.put("value", u.value());
        ArrayNode records = n.putArray("records");
        u.records().forEach(records::add);
      }
      RegistryOptions.print(out(), a);
    } else if (usages.isEmpty()) {
      out().println("not used: " + value);
      out().flush();
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (Usage u : usages) {
        rows.add(List.of(u.version().policyId(), u.policyName(), Integer.toString(u.version().version()), u.path(),
            u.value(), u.records().isEmpty() ? "-" : String.join(",", u.records())));
      }
      RegistryOptions.table(out(), List.of("POLICY", "NAME", "VERSION", "WHERE", "VALUE", "RECORDS"), rows);
    }
    return usages.isEmpty() ? TrafficPolicyCommand.FAILED : TrafficPolicyCommand.OK;
  }
}
