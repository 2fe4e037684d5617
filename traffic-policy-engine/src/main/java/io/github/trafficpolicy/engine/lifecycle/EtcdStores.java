package io.github.trafficpolicy.engine.lifecycle;

import java.io.IOException;

/**
 * Opens an {@link EtcdStore} without making the rest of the registry depend on jetcd: this class names no jetcd
 * type, and {@code EtcdStore} (which does) is loaded only when an etcd registry is opened, so applications without
 * etcd need not have jetcd on their class path.
 */
final class EtcdStores {
  private EtcdStores() {}

  static RegistryStore open(EtcdSettings settings, DocumentCodec codec) throws IOException {
    try {
      return EtcdStore.open(settings, codec);
    } catch (NoClassDefFoundError e) {
      throw new IOException("an etcd registry needs the etcd client io.etcd:jetcd-core on the class path (missing: "
          + e.getMessage() + ")", e);
    }
  }
}
