package io.github.trafficpolicy.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The {@code *.expect.json} files under {@code /route53-policies/} on the class path (the api test-jar). */
final class ExpectFiles {
  private ExpectFiles() {}

  static List<URL> all() {
    URL readme = ExpectFiles.class.getResource("/route53-policies/README.md");
    if (readme == null) {
      throw new IllegalStateException("/route53-policies/ is not on the class path (api test-jar missing)");
    }
    List<URL> out = new ArrayList<>();
    try {
      if (readme.getProtocol().equals("jar")) {
        JarURLConnection c = (JarURLConnection) readme.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = c.getJarFile()) {
          for (var e : Collections.list(jar.entries())) {
            String n = e.getName();
            if (n.startsWith("route53-policies/") && n.endsWith(".expect.json") && n.indexOf('/', 17) < 0) {
              out.add(ExpectFiles.class.getResource("/" + n));
            }
          }
        }
      } else {
        Path dir = Path.of(readme.toURI()).getParent();
        try (Stream<Path> s = Files.list(dir)) {
          for (Path p : (Iterable<Path>) s::iterator) {
            if (p.getFileName().toString().endsWith(".expect.json")) {
              out.add(p.toUri().toURL());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    out.sort((a, b) -> a.toString().compareTo(b.toString()));
    return out;
  }
}
