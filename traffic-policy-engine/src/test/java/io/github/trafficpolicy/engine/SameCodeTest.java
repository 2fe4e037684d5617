package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The geo rules' code comparison is {@link String#equalsIgnoreCase}, including for non-ASCII characters. */
final class SameCodeTest {
  private static final long SEED = 20261126L;
  private static final char[] ALPHABET = {'A', 'B', 'Z', 'a', 'b', 'z', '0', '9', '@', '`', '[', '{', 'K', 'k',
      '\u212A', 'I', 'i', '\u0130', '\u0131', '\u00DF', '\u00E9', '\u00C9'};

  @Test
  void sameCode_randomShortStrings_agreesWithEqualsIgnoreCase() {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int c = 0; c < 200_000; c++) {
      String a = randomCode(random);
      String b = random.nextInt(4) == 0 ? a.toLowerCase(java.util.Locale.ROOT) : randomCode(random);
      assertThat(CompiledRule.Geo.sameCode(a, b)).as("seed " + SEED + " case " + c + ": '" + a + "' vs '" + b + "'")
          .isEqualTo(a.equalsIgnoreCase(b));
    }
  }

  private static String randomCode(SplittableRandom random) {
    char[] chars = new char[random.nextInt(0, 4)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(chars);
  }
}
