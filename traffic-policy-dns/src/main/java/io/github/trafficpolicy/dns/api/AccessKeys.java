package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.io.BaseEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The access keys the API accepts, read from a file in the AWS shared credentials format: one profile per
 * {@code [name]} section with {@code aws_access_key_id} and {@code aws_secret_access_key}; {@code read_only = true}
 * makes a key read-only. Lines starting with {@code #} or {@code ;} are comments; other keys
 * ({@code region}, {@code aws_session_token} …) are ignored. Every problem is reported with its line.
 */
public final class AccessKeys {
  /** One access key. {@code toString()} never shows the secret. */
  public record Key(String profile, String accessKeyId, String secret, boolean readOnly) {
    public Key {
      checkNotNull(profile, "profile");
      checkNotNull(accessKeyId, "accessKeyId");
      checkNotNull(secret, "secret");
      checkArgument(!accessKeyId.isEmpty() && !secret.isEmpty(), "empty access key id or secret");
    }

    @Override
    public String toString() {
      return "Key[profile=" + profile + ", accessKeyId=" + accessKeyId + ", readOnly=" + readOnly + "]";
    }
  }

  private final ImmutableMap<String, Key> byId;

  private AccessKeys(Map<String, Key> byId) {
    this.byId = ImmutableMap.copyOf(byId);
  }

  /** The keys given directly. */
  public static AccessKeys of(List<Key> keys) {
    Map<String, Key> m = new LinkedHashMap<>();
    for (Key k : keys) {
      checkArgument(m.put(k.accessKeyId(), k) == null, "access key %s is given twice", k.accessKeyId());
    }
    return new AccessKeys(m);
  }

  /**
   * Reads a credentials file.
   *
   * @throws IllegalArgumentException listing every problem, one per line ({@code FILE:LINE: message})
   * @throws IOException when it cannot be read
   */
  public static AccessKeys read(Path file) throws IOException {
    return parse(file.toString(), Files.readString(checkNotNull(file, "file"), StandardCharsets.UTF_8));
  }

  /** Parses credentials text named {@code name} in messages; see {@link #read}. */
  public static AccessKeys parse(String name, String text) {
    List<String> problems = new ArrayList<>();
    Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
    Map<String, Integer> profileLines = new LinkedHashMap<>();
    Map<String, String> current = null;
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      int n = i + 1;
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        if (!line.endsWith("]") || line.length() < 3) {
          problems.add(name + ":" + n + ": a profile header must be [name]");
          current = null;
          continue;
        }
        String profile = line.substring(1, line.length() - 1).strip();
        if (profiles.containsKey(profile)) {
          problems.add(name + ":" + n + ": profile [" + profile + "] is defined twice");
        }
        current = new LinkedHashMap<>();
        profiles.put(profile, current);
        profileLines.put(profile, n);
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        problems.add(name + ":" + n + ": expected key = value");
        continue;
      }
      if (current == null) {
        problems.add(name + ":" + n + ": a key outside any [profile]");
        continue;
      }
      current.put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
    }
    Map<String, Key> byId = new LinkedHashMap<>();
    profiles.forEach((profile, values) -> {
      String where = name + ":" + profileLines.get(profile) + ": [" + profile + "]";
      String id = values.get("aws_access_key_id");
      String secret = values.get("aws_secret_access_key");
      if (id == null || id.isEmpty() || secret == null || secret.isEmpty()) {
        problems.add(where + ": needs aws_access_key_id and aws_secret_access_key");
        return;
      }
      if (!id.matches("[A-Za-z0-9]{4,128}")) {
        problems.add(where + ": aws_access_key_id must be 4 to 128 letters and digits");
        return;
      }
      String ro = values.getOrDefault("read_only", "false").toLowerCase(Locale.ROOT);
      if (!ro.equals("true") && !ro.equals("false")) {
        problems.add(where + ": read_only must be true or false but was " + values.get("read_only"));
        return;
      }
      Key previous = byId.put(id, new Key(profile, id, secret, ro.equals("true")));
      if (previous != null) {
        problems.add(where + ": access key " + id + " is also in [" + previous.profile() + "]");
      }
    });
    if (problems.isEmpty() && byId.isEmpty()) {
      problems.add(name + ": no access key (a [profile] with aws_access_key_id and aws_secret_access_key)");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return new AccessKeys(byId);
  }

  /**
   * A new read-write key of 100 random bits of ID (20 characters of a 32-letter alphabet) and 256 of secret, for a
   * server that was given none: its ID is {@code TP} and those 20 letters and digits, its secret 43 URL-safe base-64
   * characters. It is meant to be shown once
   * and to live as long as the process.
   */
  public static Key generate(String profile) {
    SecureRandom random = new SecureRandom();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder id = new StringBuilder("TP");
    for (int i = 0; i < 20; i++) {
      id.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    return new Key(profile, id.toString(), BaseEncoding.base64Url().omitPadding().encode(secret), false);
  }

  /** The key with this access key ID, if any. */
  public Optional<Key> find(String accessKeyId) {
    return Optional.ofNullable(byId.get(accessKeyId));
  }

  /** Every key, in file order. */
  public ImmutableList<Key> keys() {
    return byId.values().asList();
  }
}
