package io.github.trafficpolicy.dns.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.engine.lifecycle.ManagedRecord;
import io.github.trafficpolicy.engine.lifecycle.PolicyRef;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code traffic-policy record}: policy records, which bind a policy version to a DNS name in a zone. */
@Command(
    name = "record",
    mixinStandardHelpOptions = true,
    description = "Policy records: a DNS name in a zone answered by one version of a traffic policy.",
    subcommands = {
      RecordCommand.Create.class,
      RecordCommand.Update.class,
      RecordImport.class,
      RecordCommand.Rollback.class,
      RecordCommand.ListRecords.class,
      RecordCommand.Show.class,
      RecordCommand.Delete.class,
    })
final class RecordCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  private static void printRecords(RegistryOptions.Call call, String verb, List<ManagedRecord> records) {
    if (call.options.json) {
      ArrayNode a = RegistryOptions.array();
      records.forEach(r -> a.add(RegistryOptions.json(r)));
      RegistryOptions.print(call.out(), a);
      return;
    }
    for (ManagedRecord r : records) {
      call.out().println(verb + " " + r.name() + ": policy " + r.current().policyId() + " version "
          + r.current().version() + ", TTL " + r.ttl() + ", previous " + RegistryOptions.previous(r));
    }
    call.out().flush();
  }

  /** {@code record create}. */
  @Command(name = "create",
      description = "Create a policy record: NAME in ZONE answered by a policy version.")
  static final class Create extends RegistryOptions.Call {
    @CommandLine.Mixin HelpOption help;

    @Option(names = "--zone", required = true, description = "The hosted zone, e.g. example.com.")
    String zone;

    @Option(names = "--name", required = true, description = "The DNS name, in the zone.")
    String name;

    @Option(names = "--ttl", required = true, description = "The TTL of answers, 0 to 2147483647 seconds.")
    long ttl;

    @Option(names = "--policy", required = true, paramLabel = "ID", description = "The policy ID (or name).")
    String policy;

    @Option(names = "--version", required = true, description = "The policy version.")
    int version;

    @Override
    int run(TrafficPolicyRegistry r) {
      printRecords(this, "created", List.of(r.createRecord(zone, name, ttl, RegistryOptions.policyId(r, policy), version)));
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code record update}. */
  @Command(name = "update",
      description = {
        "Bind a record to another version (roll forward or back) and/or set its TTL:",
        "  record update --name NAME [--version N] [--policy ID --version N] [--ttl N]",
        "or bind every record of a policy to one version, atomically (all change or none):",
        "  record update --policy ID --version N --all"
      })
  static final class Update extends RegistryOptions.Call {
    @CommandLine.Mixin HelpOption help;

    @Option(names = "--name", description = "The record's DNS name.")
    @Nullable String name;

    @Option(names = "--policy", paramLabel = "ID",
        description = "The policy (with --all: whose records to update; with --name: switch the record to it).")
    @Nullable String policy;

    @Option(names = "--version", description = "The version to bind to.")
    @Nullable Integer version;

    @Option(names = "--ttl", description = "The new TTL.")
    @Nullable Long ttl;

    @Option(names = "--all", description = "Update every record of --policy to --version.")
    boolean all;

    @Override
    int run(TrafficPolicyRegistry r) {
      if (all) {
        if (name != null || ttl != null || policy == null || version == null) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              "--all takes --policy and --version, and neither --name nor --ttl");
        }
        printRecords(this, "updated", r.updateAllRecords(RegistryOptions.policyId(r, policy), version));
        return TrafficPolicyCommand.OK;
      }
      if (name == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "give --name NAME, or --all");
      }
      if (version == null && ttl == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "give --version and/or --ttl");
      }
      if (policy != null && version == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--policy needs --version");
      }
      OptionalLong newTtl = ttl == null ? OptionalLong.empty() : OptionalLong.of(ttl);
      ManagedRecord updated = policy != null
          ? r.updateRecord(name, PolicyRef.of(RegistryOptions.policyId(r, policy), checkNotNull(version)), newTtl)
          : r.updateRecord(name, Optional.ofNullable(version), newTtl);
      printRecords(this, "updated", List.of(updated));
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code record rollback}. */
  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Bind a record back to the version it had before its last version change.")
  static final class Rollback extends RegistryOptions.Call {
    @Option(names = "--name", required = true, description = "The record's DNS name.")
    String name;

    @Override
    int run(TrafficPolicyRegistry r) {
      printRecords(this, "rolled back", List.of(r.rollbackRecord(name)));
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code record list}. */
  @Command(name = "list",
      description = "List policy records, optionally of one zone and/or one policy (version).")
  static final class ListRecords extends RegistryOptions.Call {
    @CommandLine.Mixin HelpOption help;

    @Option(names = "--zone", description = "Only records in this hosted zone.")
    @Nullable String zone;

    @Option(names = "--policy", paramLabel = "ID", description = "Only records bound to this policy.")
    @Nullable String policy;

    @Option(names = "--version", description = "With --policy: only records bound to this version.")
    @Nullable Integer version;

    @Override
    int run(TrafficPolicyRegistry r) {
      if (version != null && policy == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--version needs --policy");
      }
      String policyId = policy == null ? null : RegistryOptions.policyId(r, policy);
      List<ManagedRecord> records = policyId == null ? r.listRecords()
          : version == null ? r.listRecordsByPolicy(policyId) : r.listRecordsByPolicy(policyId, version);
      if (zone != null) {
        List<ManagedRecord> inZone = r.listRecordsByZone(zone);
        records = records.stream().filter(inZone::contains).toList();
      }
      if (options.json) {
        ArrayNode a = RegistryOptions.array();
        records.forEach(m -> a.add(RegistryOptions.json(m)));
        RegistryOptions.print(out(), a);
        return TrafficPolicyCommand.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (ManagedRecord m : records) {
        rows.add(List.of(m.name(), m.zone(), m.type().name(), Long.toString(m.ttl()), m.current().policyId(),
            Integer.toString(m.current().version()), RegistryOptions.previous(m)));
      }
      RegistryOptions.table(out(), List.of("NAME", "ZONE", "TYPE", "TTL", "POLICY", "VERSION", "PREVIOUS"), rows);
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code record show}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one record with its version history.")
  static final class Show extends RegistryOptions.Call {
    @Option(names = "--name", required = true, description = "The record's DNS name.")
    String name;

    @Override
    int run(TrafficPolicyRegistry r) {
      ManagedRecord m = r.getRecord(name);
      if (options.json) {
        RegistryOptions.print(out(), RegistryOptions.json(m));
        return TrafficPolicyCommand.OK;
      }
      out().println("name     " + m.name());
      out().println("zone     " + m.zone());
      out().println("type     " + m.type());
      out().println("ttl      " + m.ttl());
      out().println("policy   " + m.current().policyId() + " (" + r.getPolicy(m.current().policyId()).name() + ")");
      out().println("version  " + m.current().version());
      List<String> history = new ArrayList<>();
      for (PolicyRef h : m.history().reverse()) {
        history.add(h.policyId().equals(m.current().policyId()) ? "v" + h.version() : h.toString());
      }
      out().println("history  " + (history.isEmpty() ? "-" : String.join(" <- ", history) + "  (newest first)"));
      out().flush();
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code record delete}. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a policy record.")
  static final class Delete extends RegistryOptions.Call {
    @Option(names = "--name", required = true, description = "The record's DNS name.")
    String name;

    @Override
    int run(TrafficPolicyRegistry r) {
      r.deleteRecord(name);
      if (options.json) {
        ObjectNode n = RegistryOptions.object();
        n.put("deleted", PolicyRecord.absolute(name));
        RegistryOptions.print(out(), n);
      } else {
        out().println("deleted " + PolicyRecord.absolute(name));
        out().flush();
      }
      return TrafficPolicyCommand.OK;
    }
  }
}
