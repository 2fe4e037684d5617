package io.github.trafficpolicy.dns.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.dns.InputLimits;
import io.github.trafficpolicy.engine.lifecycle.ManagedRecord;
import io.github.trafficpolicy.engine.lifecycle.PolicyRef;
import io.github.trafficpolicy.engine.lifecycle.PolicyVersion;
import io.github.trafficpolicy.engine.lifecycle.RegistryError;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every registry subcommand shares (where the registry is, from {@link RegistryLocation}, and {@code
 * --json}) and what they share: reading document files, printing results and Route 53-named errors.
 */
final class RegistryOptions extends RegistryLocation {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--json", description = "Print machine-readable JSON.")
  boolean json;

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }

  static void print(PrintWriter out, Object json) {
    try {
      out.println(JSON.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  /** A policy document file's text, exactly (strict UTF-8); a file over the size limit is not read. */
  static String readDocument(Path file) {
    return readText(file, InputLimits.POLICY_DOCUMENT_BYTES, "a policy document",
        RegistryError.INVALID_TRAFFIC_POLICY_DOCUMENT);
  }

  /**
   * A text file's content, exactly (strict UTF-8); a file of more than {@code maxBytes} is refused before it is
   * read, with {@code tooLarge} ({@code what} names the kind of file).
   */
  static String readText(Path file, long maxBytes, String what, RegistryError tooLarge) {
    byte[] bytes;
    try {
      bytes = InputLimits.read(file, maxBytes, what);
    } catch (InputLimits.TooLargeException e) {
      throw new RegistryException(tooLarge, file + " " + e.getMessage(), e);
    } catch (IOException e) {
      throw new RegistryException(RegistryError.INVALID_INPUT, IoMessages.cannotRead(file, e), e);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new RegistryException(RegistryError.INVALID_INPUT, file + " is not UTF-8 text", e);
    }
  }

  static ObjectNode json(PolicyVersion v, int records) {
    ObjectNode n = object();
    n.put("id", v.id());
    n.put("version", v.version());
    n.put("name", v.name());
    n.put("type", v.type().name());
    v.comment().ifPresent(c -> n.put("comment", c));
    n.put("records", records);
    return n;
  }

  static ObjectNode json(ManagedRecord r) {
    ObjectNode n = object();
    n.put("name", r.name());
    n.put("zone", r.zone());
    n.put("ttl", r.ttl());
    n.put("type", r.type().name());
    n.put("policy", r.current().policyId());
    n.put("version", r.current().version());
    ArrayNode history = n.putArray("history");
    for (PolicyRef h : r.history()) {
      history.addObject().put("policy", h.policyId()).put("version", h.version());
    }
    return n;
  }

  static String previous(ManagedRecord r) {
    return r.previous().map(p -> p.policyId().equals(r.current().policyId()) ? "v" + p.version() : p.toString())
        .orElse("-");
  }

  /** Prints a table: columns padded to their widest cell, two spaces apart. */
  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(out, header, widths);
    for (List<String> row : rows) {
      printRow(out, row, widths);
    }
    out.flush();
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      b.append(c);
      if (i < cells.size() - 1) {
        b.append(" ".repeat(widths[i] - c.length() + 2));
      }
    }
    out.println(b.toString().stripTrailing());
  }

  /**
   * The ID of the policy named by {@code idOrName}: a policy ID, or else the name of a policy (names are unique), so
   * users can type {@code --policy web} instead of a UUID. Unknown: returned as given (the registry then reports
   * {@code NoSuchTrafficPolicy}).
   */
  static String policyId(TrafficPolicyRegistry registry, String idOrName) {
    if (registry.state().policy(idOrName).isPresent()) {
      return idOrName;
    }
    return registry.state().policyNamed(idOrName).map(p -> p.id()).orElse(idOrName);
  }

  static Optional<String> comment(@Nullable String comment) {
    return Optional.ofNullable(comment);
  }

  /**
   * Base of the registry subcommands: runs {@link #run}, and turns a {@link RegistryException} into its Route 53
   * name and message on standard error (with {@code --json}: an {@code {"error": …}} object on standard output),
   * exit code 1.
   */
  abstract static class Call implements Callable<Integer> {
    @CommandLine.Mixin RegistryOptions options;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    abstract int run(TrafficPolicyRegistry registry) throws IOException;

    /** Whether the command needs the registry (render of a file does not). */
    boolean needsRegistry() {
      return true;
    }

    /** Runs a command that does not need the registry ({@link #needsRegistry} false). */
    int runWithoutRegistry() throws IOException {
      throw new AssertionError(getClass().getSimpleName() + " needs a registry");
    }

    /** Whether the command may make the registry directory when there is none ({@code policy create}). */
    boolean createsRegistry() {
      return false;
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    @Override
    public Integer call() throws IOException {
      try {
        if (needsRegistry() && !createsRegistry() && options.etcd().isEmpty()
            && !Files.isDirectory(options.directory())) {
          throw new RegistryException(RegistryError.INVALID_INPUT, "no registry at " + options.directory()
              + " (`traffic-policy policy create` makes one; --registry DIR or $" + ENV + " names another)");
        }
        if (!needsRegistry()) {
          return runWithoutRegistry();
        }
        TrafficPolicyRegistry registry = options.open();
        try {
          return run(registry);
        } finally {
          registry.close();
        }
      } catch (RegistryException e) {
        return fail(e);
      } catch (UncheckedIOException e) {
        return fail(new RegistryException(RegistryError.INVALID_INPUT, IoMessages.message(e), e));
      }
    }

    private int fail(RegistryException e) {
      if (options.json) {
        ObjectNode n = object();
        n.put("error", e.error().awsName());
        n.put("message", IoMessages.message(e).split("\n", 2)[0]);
        ArrayNode problems = n.putArray("problems");
        for (Problem p : e.problems()) {
          problems.addObject().put("path", p.path()).put("code", p.code().name())
              .put("severity", p.severity().name()).put("message", p.message());
        }
        print(out(), n);
      } else {
        PrintWriter err = spec.commandLine().getErr();
        err.println("traffic-policy: " + e.getMessage());
        err.flush();
      }
      return TrafficPolicyCommand.FAILED;
    }
  }
}
