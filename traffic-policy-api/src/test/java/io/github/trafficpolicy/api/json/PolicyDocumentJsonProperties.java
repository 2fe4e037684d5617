package io.github.trafficpolicy.api.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.testing.PolicyGenerator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Properties of reading and writing over generated documents (depth up to 6), each case replayable by its seed. */
final class PolicyDocumentJsonProperties {
  private static final long SEED = 0x7AFF1C_2026L;
  private static final int CASES = 600;

  private static PolicyDocument generate(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int depth = 1 + random.nextInt(PolicyGenerator.MAX_DEPTH);
    return new PolicyGenerator(random, PolicyGenerator.Settings.defaults().withMaxDepth(depth)
        .withUnreachableParts(random.nextBoolean())).document();
  }

  @Test
  void builtDocument_writtenThenRead_isEqual() {
    for (int i = 0; i < CASES; i++) {
      long seed = SEED + i;
      PolicyDocument d = generate(seed);
      String text = PolicyDocumentJson.write(d);
      PolicyDocument read = PolicyDocumentJson.read(text);
      assertThat(read).as("seed %s, text:%n%s", seed, text).isEqualTo(d);
      assertThat(read.warnings()).as("seed %s", seed).isEqualTo(d.warnings());
    }
  }

  @Test
  void canonicalText_readThenWritten_isByteIdentical() {
    for (int i = 0; i < CASES; i++) {
      long seed = SEED + i;
      String text = PolicyDocumentJson.write(generate(seed));
      assertThat(PolicyDocumentJson.write(PolicyDocumentJson.read(text))).as("seed %s", seed).isEqualTo(text);
    }
  }

  @Test
  void builtDocument_writtenCanonically_isIndependentOfHowItWasMade() {
    for (int i = 0; i < CASES; i++) {
      long seed = SEED + i;
      PolicyDocument d = generate(seed);
      String styled = StyledWriter.write(d, new SplittableRandom(seed));
      assertThat(PolicyDocumentJson.writeCanonical(PolicyDocumentJson.read(styled)))
          .as("seed %s, styled text:%n%s", seed, styled).isEqualTo(PolicyDocumentJson.write(d));
    }
  }

  @Test
  void styledText_readThenWritten_isByteIdenticalAndEqualToTheBuiltDocument() {
    for (int i = 0; i < CASES; i++) {
      long seed = SEED + i;
      PolicyDocument d = generate(seed);
      String styled = StyledWriter.write(d, new SplittableRandom(seed));
      PolicyDocument read = PolicyDocumentJson.read(styled);
      assertThat(read).as("seed %s, styled text:%n%s", seed, styled).isEqualTo(d);
      assertThat(PolicyDocumentJson.write(read)).as("seed %s", seed).isEqualTo(styled);
    }
  }
}
