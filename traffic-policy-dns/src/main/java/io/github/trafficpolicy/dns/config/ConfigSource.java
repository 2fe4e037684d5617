package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the files a configuration names are read from: a directory (the configuration file's own) or the
 * classpath (the bundled example). Paths in the configuration are relative to it, or absolute.
 */
public interface ConfigSource {

  /** The bytes of {@code path}. */
  byte[] read(String path) throws IOException;

  /** How to name {@code path} in messages. */
  String describe(String path);

  /** {@code path} as a file on disk, when it is one (a MaxMind database must be). */
  Optional<Path> file(String path);

  /** Files relative to {@code directory}. */
  static ConfigSource directory(Path directory) {
    checkNotNull(directory, "directory");
    return new ConfigSource() {
      @Override
      public byte[] read(String path) throws IOException {
        return Files.readAllBytes(directory.resolve(path));
      }

      @Override
      public String describe(String path) {
        return directory.resolve(path).normalize().toString();
      }

      @Override
      public Optional<Path> file(String path) {
        return Optional.of(directory.resolve(path));
      }
    };
  }

  /** Resources under {@code prefix} (e.g. {@code io/github/trafficpolicy/dns/example/}) of {@code loader}. */
  static ConfigSource classpath(ClassLoader loader, String prefix) {
    checkNotNull(loader, "loader");
    checkNotNull(prefix, "prefix");
    return new ConfigSource() {
      @Override
      public byte[] read(String path) throws IOException {
        try (InputStream in = loader.getResourceAsStream(prefix + path)) {
          if (in == null) {
            throw new FileNotFoundException("no resource " + prefix + path);
          }
          return in.readAllBytes();
        }
      }

      @Override
      public String describe(String path) {
        return "classpath:" + prefix + path;
      }

      @Override
      public Optional<Path> file(String path) {
        return Optional.empty();
      }
    };
  }
}
