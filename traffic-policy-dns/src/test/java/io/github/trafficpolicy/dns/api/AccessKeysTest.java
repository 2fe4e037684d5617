package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class AccessKeysTest {
  @Test
  void parsesProfiles_readOnly_commentsAndOtherKeys() {
    AccessKeys keys = AccessKeys.parse("creds", "# comment\n; another\n[default]\n"
        + "aws_access_key_id = AKIDONE\naws_secret_access_key = s1\nregion = us-east-1\n\n"
        + "[ro]\r\nAWS_ACCESS_KEY_ID=AKIDTWO\r\naws_secret_access_key=s2\r\nread_only = TRUE\r\n");
    assertThat(keys.keys()).containsExactly(new AccessKeys.Key("default", "AKIDONE", "s1", false),
        new AccessKeys.Key("ro", "AKIDTWO", "s2", true));
    assertThat(keys.find("AKIDTWO")).map(AccessKeys.Key::readOnly).hasValue(true);
    assertThat(keys.find("AKIDNONE")).isEmpty();
    assertThat(keys.keys().get(0).toString()).doesNotContain("s1");
  }

  @Test
  void everyProblemIsReportedWithItsLine() {
    assertThatThrownBy(() -> AccessKeys.parse("creds", "key = outside\n[a]\naws_access_key_id = AKIDA\n"
        + "[b\n[c]\naws_access_key_id = AKIDA\naws_secret_access_key = x\n[c]\nnonsense\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("creds:1: a key outside any [profile]")
        .hasMessageContaining("creds:4: a profile header must be [name]")
        .hasMessageContaining("creds:8: profile [c] is defined twice")
        .hasMessageContaining("creds:9: expected key = value")
        .hasMessageContaining("creds:2: [a]: needs aws_access_key_id and aws_secret_access_key");
    assertThatThrownBy(() -> AccessKeys.parse("creds", "# nothing\n"))
        .hasMessageContaining("creds: no access key");
  }
}
