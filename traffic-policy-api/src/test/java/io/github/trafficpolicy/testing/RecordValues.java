package io.github.trafficpolicy.testing;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.RecordType;
import java.util.SplittableRandom;

/** Random valid record data, in Route 53 presentation format, for each {@link RecordType}. */
public final class RecordValues {
  private static final String[] WORDS = {"alpha", "bravo", "charlie", "delta", "echo", "mail", "www", "api", "x"};

  private RecordValues() {}

  /** A random value that {@code RecordData.parse(type, value)} accepts. */
  public static String random(RecordType type, SplittableRandom random) {
    checkNotNull(type, "type");
    checkNotNull(random, "random");
    return switch (type) {
      case A -> (random.nextInt(1, 224)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
          + random.nextInt(256);
      case AAAA -> "2001:db8:" + Integer.toHexString(random.nextInt(0x10000)) + "::"
          + Integer.toHexString(random.nextInt(1, 0x10000));
      case CNAME, PTR -> hostName(random);
      case MX -> random.nextInt(0, 65536) + " " + hostName(random);
      case SRV -> random.nextInt(65536) + " " + random.nextInt(65536) + " " + random.nextInt(1, 65536) + " "
          + hostName(random);
      case TXT -> random.nextBoolean() ? "\"" + words(random) + "\"" : "\"" + words(random) + "\" \"more\"";
      case SPF -> "\"v=spf1 ip4:192.0.2." + random.nextInt(256) + " -all\"";
      case CAA -> random.nextInt(2) * 128 + " " + (random.nextBoolean() ? "issue" : "iodef") + " \""
          + hostName(random) + "\"";
      case NAPTR -> random.nextInt(65536) + " " + random.nextInt(65536) + " \"U\" \"E2U+sip\" \"!^.*$!sip:"
          + WORDS[random.nextInt(WORDS.length)] + "@example.com!\" .";
    };
  }

  private static String hostName(SplittableRandom random) {
    return WORDS[random.nextInt(WORDS.length)] + random.nextInt(100) + ".example." + (random.nextBoolean() ? "com"
        : "net") + (random.nextInt(4) == 0 ? "." : "");
  }

  private static String words(SplittableRandom random) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }
}
