package io.github.trafficpolicy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.internal.CodecHooks;
import io.github.trafficpolicy.api.internal.DocumentParts;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The codec's hooks into the model are not API: a document's source text can only be the text the JSON codec read
 * it from.
 */
final class CodecFenceTest {
  private static final String DOCUMENT = "{\"AWSPolicyFormatVersion\":\"2015-10-01\",\"RecordType\":\"A\","
      + "\"StartEndpoint\":\"a\",\"Endpoints\":{\"a\":{\"Type\":\"value\",\"Value\":\"192.0.2.1\"}}}";

  @Test
  void builder_sourceTextAndWarnings_notPublic() {
    List<String> publicMethods = Arrays.stream(PolicyDocument.Builder.class.getMethods()).map(Method::getName)
        .toList();

    assertThat(publicMethods).contains("build", "endpoint").doesNotContain("sourceText", "warnings");
  }

  @Test
  void validator_partialDocuments_notInItsPublicMethods() {
    for (Method m : PolicyValidator.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers())) {
        assertThat(m.getParameterTypes()).as(m.toString()).doesNotContain(DocumentParts.class);
      }
    }
  }

  @Test
  void hooks_outsideTheCodec_refused() {
    assertThatThrownBy(CodecHooks::forCodec).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("io.github.trafficpolicy.api.json only");
    assertThatThrownBy(() -> CodecHooks.install(new CodecHooks.Hooks() {
      @Override
      public PolicyDocument build(PolicyDocument.Builder builder, String sourceText, List<Problem> warnings) {
        return builder.build();
      }

      @Override
      public ImmutableList<Problem> validate(DocumentParts parts) {
        return ImmutableList.of();
      }
    })).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void read_keepsItsSourceText_builtInCodeHasNone() {
    PolicyDocument read = PolicyDocumentJson.read(DOCUMENT);

    assertThat(read.sourceText()).contains(DOCUMENT);
    assertThat(PolicyDocumentJson.write(read)).isEqualTo(DOCUMENT);
    assertThat(read.toBuilder().build().sourceText()).isEmpty();
  }
}
