package io.github.trafficpolicy.engine.lifecycle;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A second process for {@link RegistryPersistenceTest}: opens the registry in {@code args[0]} and creates
 * {@code args[2]} policies named {@code args[1]-N}, each through its own registry instance, as separate CLI
 * invocations would.
 */
final class RegistryWriterMain {
  private RegistryWriterMain() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    String prefix = args[1];
    int n = Integer.parseInt(args[2]);
    TestDocuments.Codec codec = new TestDocuments.Codec();
    String text = codec.text(RegistryPersistenceTest.SHARED_TEXT, TestDocuments.singleA("192.0.2.1"));
    for (int i = 0; i < n; i++) {
      TrafficPolicyRegistry.builder().codec(codec).directory(dir).build()
          .createPolicy(prefix + "-" + i, text, Optional.empty());
    }
  }
}
