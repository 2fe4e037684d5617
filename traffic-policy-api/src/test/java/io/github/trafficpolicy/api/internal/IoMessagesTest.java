package io.github.trafficpolicy.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class IoMessagesTest {
  @TempDir Path dir;

  @Test
  void describe_missingFile_noSuchFile() {
    Path missing = dir.resolve("missing.json");
    IOException e = catchThrowableOfType(() -> Files.readAllBytes(missing), IOException.class);
    assertThat(IoMessages.describe(e)).isEqualTo("no such file");
    assertThat(IoMessages.cannotRead(missing, e)).isEqualTo("cannot read " + missing + ": no such file");
  }

  @Test
  void describe_directory_theSystemsReasonWithoutClassNames() {
    IOException e = catchThrowableOfType(() -> Files.readAllBytes(dir), IOException.class);
    assertThat(IoMessages.describe(e)).isNotBlank().doesNotContain("Exception").doesNotContain(dir.toString());
  }

  @Test
  void describe_accessDenied_permissionDenied() {
    assertThat(IoMessages.describe(new AccessDeniedException("/x"))).isEqualTo("permission denied");
  }

  @Test
  void describe_notUtf8_saysSo() {
    CharacterCodingException e = catchThrowableOfType(() -> StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(new byte[] {(byte) 0xe9})),
        CharacterCodingException.class);
    assertThat(IoMessages.describe(e)).isEqualTo("not UTF-8 text");
  }

  @Test
  void describe_noMessage_wordsNotAClassName() {
    assertThat(IoMessages.describe(new IOException())).isEqualTo("input/output error");
    assertThat(IoMessages.describe(new FileSystemException("/x"))).isEqualTo("input/output error");
    assertThat(IoMessages.describe(new IllegalStateException())).isEqualTo("unexpected error");
    assertThat(IoMessages.describe(new IOException("disk on fire"))).isEqualTo("disk on fire");
  }
}
