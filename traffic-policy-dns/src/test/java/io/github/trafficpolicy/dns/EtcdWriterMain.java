package io.github.trafficpolicy.dns;

import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.EtcdSettings;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.time.Duration;
import java.util.Optional;

/**
 * A writer process for {@link EtcdFleetJarIT}, as another machine: on the etcd registry {@code args[0]}, creates
 * {@code args[2]} versions of policy {@code args[1]} (answering {@code args[3]}.N) and after every tenth binds every
 * record of the policy to it (a bulk update), printing each version number it created, one per line.
 */
final class EtcdWriterMain {
  private EtcdWriterMain() {}

  public static void main(String[] args) {
    TrafficPolicyRegistry registry = TrafficPolicyRegistry.builder().codec(DocumentCodec.json())
        .etcd(EtcdSettings.parse(args[0]).withStartupWait(Duration.ofSeconds(20))).build();
    String id = args[1];
    int n = Integer.parseInt(args[2]);
    try {
      for (int i = 0; i < n; i++) {
        int v = registry.createPolicyVersion(id, EtcdFleetJarIT.document(args[3] + "." + (i % 250 + 1)),
            Optional.empty()).version();
        System.out.println(v);
        if (i % 10 == 9) {
          registry.updateAllRecords(id, v);
        }
      }
    } finally {
      registry.close();
    }
    System.out.flush();
  }
}
