package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.dns.InputLimits;
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

  /**
   * The bytes of {@code path}, refusing more than {@code maxBytes} before reading them all ({@code what} names the
   * kind of file in the message). The default reads the whole file first; the built-in sources do not.
   *
   * @throws InputLimits.TooLargeException when it is larger
   */
  default byte[] read(String path, long maxBytes, String what) throws IOException {
    byte[] b = read(path);
    return InputLimits.read(new java.io.ByteArrayInputStream(b), maxBytes, what);
  }

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
      public byte[] read(String path, long maxBytes, String what) throws IOException {
        return InputLimits.read(directory.resolve(path), maxBytes, what);
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
      public byte[] read(String path, long maxBytes, String what) throws IOException {
        try (InputStream in = loader.getResourceAsStream(prefix + path)) {
          if (in == null) {
            throw new FileNotFoundException("no resource " + prefix + path);
          }
          return InputLimits.read(in, maxBytes, what);
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
