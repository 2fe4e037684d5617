package io.github.trafficpolicy.testing;

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

/**
 * The shared Route 53 documents and policy test files under {@code /route53-policies/} on the class path: this
 * module's test resources, or the api test-jar in the other modules.
 */
public final class SharedDocuments {
  private static final String FOLDER = "route53-policies/";

  private SharedDocuments() {}

  /** The file names (no folder) in {@code /route53-policies/} ending in {@code suffix}, sorted. */
  public static List<String> names(String suffix) {
    URL readme = SharedDocuments.class.getResource("/" + FOLDER + "README.md");
    if (readme == null) {
      throw new IllegalStateException("/" + FOLDER + " is not on the class path (api test-jar missing)");
    }
    List<String> names = new ArrayList<>();
    try {
      if (readme.getProtocol().equals("jar")) {
        JarURLConnection c = (JarURLConnection) readme.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = c.getJarFile()) {
          for (var e : Collections.list(jar.entries())) {
            String n = e.getName();
            if (n.startsWith(FOLDER) && n.endsWith(suffix) && n.indexOf('/', FOLDER.length()) < 0) {
              names.add(n.substring(FOLDER.length()));
            }
          }
        }
      } else {
        try (Stream<Path> s = Files.list(Path.of(readme.toURI()).getParent())) {
          s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
              .forEach(names::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Collections.sort(names);
    return names;
  }

  /** The class-path URLs of the files {@link #names(String)} lists. */
  public static List<URL> urls(String suffix) {
    List<URL> out = new ArrayList<>();
    for (String n : names(suffix)) {
      out.add(SharedDocuments.class.getResource("/" + FOLDER + n));
    }
    return out;
  }
}
