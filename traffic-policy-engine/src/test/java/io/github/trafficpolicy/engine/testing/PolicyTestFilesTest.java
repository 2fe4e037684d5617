package io.github.trafficpolicy.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of every shared {@code *.expect.json} passes through the library with the default settings. */
final class PolicyTestFilesTest {

  static Stream<URL> files() {
    return ExpectFiles.all().stream();
  }

  @Test
  void all_expectFilesArePresent() {
    List<URL> files = ExpectFiles.all();
    assertThat(files).hasSizeGreaterThanOrEqualTo(7);
  }

  @ParameterizedTest
  @MethodSource("files")
  void run_sharedExpectFile_everyCasePasses(URL url) {
    PolicyTestFile file = PolicyTestFile.read(url);
    PolicyTestRunner.FileResult result = PolicyTestRunner.withDefaults().run(file);
    assertThat(result.cases()).hasSize(file.cases().size()).isNotEmpty();
    assertThat(result.failed()).as(result.toString()).isZero();
  }
}
