package io.github.trafficpolicy.engine.testing;

import io.github.trafficpolicy.testing.SharedDocuments;
import java.net.URL;
import java.util.List;

/** The {@code *.expect.json} files under {@code /route53-policies/} on the class path (the api test-jar). */
final class ExpectFiles {
  private ExpectFiles() {}

  static List<URL> all() {
    return SharedDocuments.urls(".expect.json");
  }
}
