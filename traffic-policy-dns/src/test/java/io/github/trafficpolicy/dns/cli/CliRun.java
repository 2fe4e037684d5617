package io.github.trafficpolicy.dns.cli;

import io.github.trafficpolicy.testing.SharedDocuments;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine;

/** Runs the {@code traffic-policy} command in-process and copies class path fixtures into a folder. */
record CliRun(int exitCode, String out, String err) {

  static CliRun run(String... args) {
    CommandLine cl = TrafficPolicyCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** The last non-empty line of standard output. */
  String lastLine() {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }

  /** Copies the class path resource {@code name} (e.g. {@code /geoip/city.mmdb}) into {@code dir}. */
  static Path copy(String name, Path dir) {
    try (InputStream in = CliRun.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the class path");
      }
      Path target = dir.resolve(name.substring(name.lastIndexOf('/') + 1));
      Files.copy(in, target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies every {@code /route53-policies/*.json} (the api test-jar's shared documents) into {@code dir}. */
  static List<Path> copySharedPolicies(Path dir) {
    List<String> names = SharedDocuments.names(".json");
    List<Path> copied = new ArrayList<>();
    for (String n : names) {
      copied.add(copy("/route53-policies/" + n, dir));
    }
    Collections.sort(copied);
    return copied;
  }
}
