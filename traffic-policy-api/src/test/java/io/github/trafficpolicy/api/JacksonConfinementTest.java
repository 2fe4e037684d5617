package io.github.trafficpolicy.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Jackson stays in {@code io.github.trafficpolicy.api.json}: no other compiled class refers to com.fasterxml. */
final class JacksonConfinementTest {

  @Test
  void compiledClasses_outsideJsonPackage_doNotReferenceJackson() throws IOException, URISyntaxException {
    Path classes = Path.of(PolicyDocument.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path json = classes.resolve("io/github/trafficpolicy/api/json");
    List<String> offenders = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
        if (f.startsWith(json)) {
          continue;
        }
        checked++;
        // Class names in the constant pool are UTF-8 internal names: a reference shows as "com/fasterxml".
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        if (bytes.contains("com/fasterxml")) {
          offenders.add(classes.relativize(f).toString());
        }
      }
    }
    assertThat(checked).as("classes checked").isGreaterThan(20);
    assertThat(offenders).isEmpty();
  }

  @Test
  void compiledClasses_jsonPackage_doesUseJackson() throws IOException, URISyntaxException {
    // Guards the check above against looking in the wrong place: the json package must show the reference.
    Path classes = Path.of(PolicyDocument.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String tree = new String(Files.readAllBytes(classes.resolve("io/github/trafficpolicy/api/json/JsonTree.class")),
        StandardCharsets.ISO_8859_1);
    assertThat(tree).contains("com/fasterxml/jackson/core");
  }
}
