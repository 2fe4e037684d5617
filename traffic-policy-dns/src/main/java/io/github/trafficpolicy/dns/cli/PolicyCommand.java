package io.github.trafficpolicy.dns.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.engine.lifecycle.PolicyRef;
import io.github.trafficpolicy.engine.lifecycle.PolicyVersion;
import io.github.trafficpolicy.engine.lifecycle.RegistryState;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code traffic-policy policy}: traffic policies and their versions in a registry directory. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Traffic policies and their numbered, immutable versions.",
    subcommands = {
      PolicyCommand.Create.class,
      PolicyCommand.Version.class,
      PolicyCommand.ListPolicies.class,
      PolicyCommand.Show.class,
      PolicyCommand.Comment.class,
      PolicyCommand.Delete.class,
    })
final class PolicyCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  private static int records(TrafficPolicyRegistry r, PolicyVersion v) {
    return r.state().recordsUsing(v.ref()).size();
  }

  private static void printCreated(RegistryOptions.Call call, PolicyVersion v) {
    if (call.options.json) {
      RegistryOptions.print(call.out(), RegistryOptions.json(v, 0));
    } else {
      call.out().println("policy " + v.id() + " version " + v.version() + " (" + v.name() + ", " + v.type() + ")");
      v.document().warnings().forEach(w -> call.out().println("warning: " + w));
      call.out().flush();
    }
  }

  /** {@code policy create}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a traffic policy from a document; prints its new ID and version 1.")
  static final class Create extends RegistryOptions.Call {
    @Option(names = "--name", required = true, description = "The policy's name (unique, 1 to 512 characters).")
    String name;

    @Option(names = "--document", required = true, paramLabel = "FILE", description = "The policy document (JSON).")
    Path document;

    @Option(names = "--comment", description = "A comment for version 1.")
    @Nullable String comment;

    @Override
    boolean createsRegistry() {
      return true;
    }

    @Override
    int run(TrafficPolicyRegistry r) {
      PolicyVersion v = r.createPolicy(name, RegistryOptions.readDocument(document), RegistryOptions.comment(comment));
      printCreated(this, v);
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code policy version}. */
  @Command(name = "version", mixinStandardHelpOptions = true,
      description = "Create the next version of a policy from a document; prints the new version number.")
  static final class Version extends RegistryOptions.Call {
    @Option(names = "--id", required = true, description = "The policy ID (or name).")
    String id;

    @Option(names = "--document", required = true, paramLabel = "FILE", description = "The policy document (JSON).")
    Path document;

    @Option(names = "--comment", description = "A comment for the new version.")
    @Nullable String comment;

    @Override
    int run(TrafficPolicyRegistry r) {
      PolicyVersion v = r.createPolicyVersion(RegistryOptions.policyId(r, id), RegistryOptions.readDocument(document),
          RegistryOptions.comment(comment));
      printCreated(this, v);
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code policy list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List policies (latest version of each, in creation order), or with --id every version of one.")
  static final class ListPolicies extends RegistryOptions.Call {
    @Option(names = "--id", description = "List every version of this policy (ID or name).")
    @Nullable String id;

    @Override
    int run(TrafficPolicyRegistry r) {
      RegistryState s = r.state();
      List<PolicyVersion> versions = id == null ? r.listPolicies() : r.listPolicyVersions(RegistryOptions.policyId(r, id));
      if (options.json) {
        ArrayNode a = RegistryOptions.array();
        for (PolicyVersion v : versions) {
          ObjectNode n = RegistryOptions.json(v, records(r, v));
          if (id == null) {
            n.put("versions", s.policy(v.id()).orElseThrow().versions().size());
            n.put("recordsOfPolicy", s.recordsOfPolicy(v.id()).size());
          }
          a.add(n);
        }
        RegistryOptions.print(out(), a);
        return TrafficPolicyCommand.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      if (id == null) {
        for (PolicyVersion v : versions) {
          rows.add(List.of(v.id(), v.name(), v.type().name(), Integer.toString(v.version()),
              Integer.toString(s.policy(v.id()).orElseThrow().versions().size()),
              Integer.toString(s.recordsOfPolicy(v.id()).size())));
        }
        RegistryOptions.table(out(), List.of("ID", "NAME", "TYPE", "LATEST", "VERSIONS", "RECORDS"), rows);
      } else {
        for (PolicyVersion v : versions) {
          rows.add(List.of(Integer.toString(v.version()), v.type().name(), Integer.toString(records(r, v)),
              v.comment().orElse("")));
        }
        RegistryOptions.table(out(), List.of("VERSION", "TYPE", "RECORDS", "COMMENT"), rows);
      }
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code policy show}. */
  @Command(name = "show",
      description = "Print a version's document exactly as stored (default: the latest version).")
  static final class Show extends RegistryOptions.Call {
    @CommandLine.Mixin HelpOption help;

    @Option(names = "--id", required = true, description = "The policy ID (or name).")
    String id;

    @Option(names = "--version", description = "The version (default: the latest).")
    @Nullable Integer version;

    @Option(names = "--output", paramLabel = "FILE",
        description = "Write the document's bytes to FILE (exact whatever the console's encoding).")
    @Nullable Path output;

    @Override
    int run(TrafficPolicyRegistry r) throws IOException {
      String policyId = RegistryOptions.policyId(r, id);
      PolicyVersion v = version == null ? r.getPolicy(policyId) : r.getPolicy(policyId, version);
      if (output != null) {
        Files.write(output, v.documentText().getBytes(StandardCharsets.UTF_8));
      } else if (options.json) {
        ObjectNode n = RegistryOptions.json(v, records(r, v));
        n.put("document", v.documentText());
        RegistryOptions.print(out(), n);
      } else {
        out().print(v.documentText());
        out().flush();
      }
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code policy comment}. */
  @Command(name = "comment",
      description = "Set (or with no --comment, remove) a version's comment, the only thing of a version that changes.")
  static final class Comment extends RegistryOptions.Call {
    @CommandLine.Mixin HelpOption help;

    @Option(names = "--id", required = true, description = "The policy ID (or name).")
    String id;

    @Option(names = "--version", required = true, description = "The version.")
    int version;

    @Option(names = "--comment", description = "The new comment (at most 1024 characters).")
    @Nullable String comment;

    @Override
    int run(TrafficPolicyRegistry r) {
      PolicyVersion v = r.updatePolicyComment(RegistryOptions.policyId(r, id), version, RegistryOptions.comment(comment));
      if (options.json) {
        RegistryOptions.print(out(), RegistryOptions.json(v, records(r, v)));
      } else {
        out().println("policy " + v.id() + " version " + v.version() + " comment "
            + v.comment().map(c -> "set").orElse("removed"));
        out().flush();
      }
      return TrafficPolicyCommand.OK;
    }
  }

  /** {@code policy delete}. */
  @Command(name = "delete",
      description = "Delete one version, or with no --version the whole policy; refused while a record uses it.")
  static final class Delete extends RegistryOptions.Call {
    @CommandLine.Mixin HelpOption help;

    @Option(names = "--id", required = true, description = "The policy ID (or name).")
    String id;

    @Option(names = "--version", description = "The version (default: every version).")
    @Nullable Integer version;

    @Override
    int run(TrafficPolicyRegistry r) {
      String policyId = RegistryOptions.policyId(r, id);
      if (version == null) {
        r.deletePolicy(policyId);
      } else {
        r.deletePolicyVersion(policyId, version);
      }
      if (options.json) {
        ObjectNode n = RegistryOptions.object();
        n.put("deleted", version == null ? policyId : PolicyRef.of(policyId, version).toString());
        RegistryOptions.print(out(), n);
      } else {
        out().println(version == null ? "deleted policy " + policyId
            : "deleted policy " + policyId + " version " + version);
        out().flush();
      }
      return TrafficPolicyCommand.OK;
    }
  }
}
