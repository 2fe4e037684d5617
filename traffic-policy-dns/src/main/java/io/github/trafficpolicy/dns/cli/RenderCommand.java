package io.github.trafficpolicy.dns.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.PolicyDiagram;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code traffic-policy render}: draws a policy tree as Mermaid or Graphviz DOT. */
@Command(name = "render",
    description = {
      "Draw a policy document's tree (rules, endpoints, health checks, weights, locations, regions, bias)",
      "as a Mermaid flowchart or a Graphviz DOT graph: from FILE, or from a registry policy (--policy)."
    })
final class RenderCommand extends RegistryOptions.Call {
  @CommandLine.Mixin HelpOption help;

  /** The diagram formats, as typed on the command line. */
  enum Format {
    mermaid,
    dot
  }

  @Option(names = "--format", required = true, description = "mermaid or dot.")
  Format format;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "A policy document (JSON).")
  @Nullable Path file;

  @Option(names = "--policy", paramLabel = "ID", description = "Draw this registry policy instead of FILE.")
  @Nullable String policy;

  @Option(names = "--version", description = "With --policy: the version (default: the latest).")
  @Nullable Integer version;

  @Override
  boolean needsRegistry() {
    return file == null;
  }

  @Override
  int runWithoutRegistry() {
    return render(null);
  }

  @Override
  int run(TrafficPolicyRegistry r) {
    return render(r);
  }

  private int render(@Nullable TrafficPolicyRegistry r) {
    if ((file == null) == (policy == null) || (version != null && policy == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give FILE, or --policy ID [--version N]");
    }
    PolicyDocument doc;
    if (file != null) {
      try {
        doc = DocumentCodec.json().read(RegistryOptions.readDocument(file));
      } catch (InvalidPolicyException e) {
        throw RegistryException.invalidDocument(file + " is invalid", e.problems());
      }
    } else {
      TrafficPolicyRegistry registry = checkNotNull(r, "--policy reads the registry");
      String policyId = RegistryOptions.policyId(registry, checkNotNull(policy));
      doc = (version == null ? registry.getPolicy(policyId) : registry.getPolicy(policyId, version)).document();
    }
    String diagram = PolicyDiagram.render(doc, PolicyDiagram.Format.parse(format.name().toUpperCase(Locale.ROOT)));
    if (options.json) {
      ObjectNode n = RegistryOptions.object();
      n.put("format", format.name());
      n.put("diagram", diagram);
      RegistryOptions.print(out(), n);
    } else {
      out().print(diagram);
      out().flush();
    }
    return TrafficPolicyCommand.OK;
  }
}
