package io.github.trafficpolicy.dns.console;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's static files: the class path resources under {@value #BASE} (the UI) and d3 from its WebJar ({@code
 * vendor/d3.min.js}). A name is one or more segments of letters, digits, {@code .}, {@code _} and {@code -}, none of
 * them starting with a dot (so neither {@code .} nor {@code ..}), with a known extension; anything else is not found,
 * so no name reaches outside these files. Each file is read once and kept with its content type and a strong ETag (its
 * SHA-256), as files in a jar do not change while the server runs.
 */
final class StaticResources {
  /** Where the UI's files are on the class path. */
  static final String BASE = "io/github/trafficpolicy/dns/console/";
  /** d3's minified build in the {@code org.webjars.npm:d3} WebJar (its version is the parent pom's d3.version). */
  static final String D3 = "META-INF/resources/webjars/d3/7.9.0/dist/d3.min.js";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
  private static final ImmutableMap<String, String> TYPES = ImmutableMap.<String, String>builder()
      .put("html", "text/html; charset=utf-8")
      .put("js", "text/javascript; charset=utf-8")
      .put("mjs", "text/javascript; charset=utf-8")
      .put("css", "text/css; charset=utf-8")
      .put("json", "application/json; charset=utf-8")
      .put("svg", "image/svg+xml")
      .put("png", "image/png")
      .put("ico", "image/x-icon")
      .put("txt", "text/plain; charset=utf-8")
      .buildOrThrow();

  /** One file: its bytes, content type and ETag (quoted). */
  @SuppressWarnings("ArrayRecordComponent") // never compared: a file of the jar, read once
  record Resource(byte[] bytes, String contentType, String etag) {}

  private final ClassLoader loader;
  private final Map<String, Resource> cache = new ConcurrentHashMap<>();

  StaticResources(ClassLoader loader) {
    this.loader = checkNotNull(loader, "loader");
  }

  /** The file at {@code name} (the path after {@code /console/}, already percent-decoded), if there is one. */
  Optional<Resource> find(String name) {
    checkNotNull(name, "name");
    if (name.isEmpty()) {
      name = "index.html";
    }
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    int dot = name.lastIndexOf('.');
    String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    if (type == null) {
      return Optional.empty();
    }
    String path = name.equals("vendor/d3.min.js") ? D3 : BASE + name;
    Resource r = cache.get(path);
    if (r == null) {
      // Only files found are kept: names asked for in vain do not grow the cache.
      Optional<Resource> loaded = load(path, type);
      loaded.ifPresent(l -> cache.put(path, l));
      return loaded;
    }
    return Optional.of(r);
  }

  private Optional<Resource> load(String path, String type) {
    try (InputStream in = loader.getResourceAsStream(path)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String etag = "\"" + Hashing.sha256().hashBytes(bytes).toString().substring(0, 32) + "\"";
      return Optional.of(new Resource(bytes, type, etag));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
