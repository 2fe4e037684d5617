package io.github.trafficpolicy.engine.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.maxmind.db.Metadata;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The jump tables against a plain walk from the root, on the small databases of make-test-mmdb.pl. */
final class MmdbTreeTest {

  @Test
  void find_withEitherIpv4JumpTable_reachesWhatAWalkFromTheRootReaches() throws IOException {
    long seed = 20261204L;
    SplittableRandom random = new SplittableRandom(seed);
    List<byte[]> addresses = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      byte[] v4 = new byte[4];
      random.nextBytes(v4);
      addresses.add(v4);
    }
    // Every address of the test networks and around them (192.0.2.0/23, 198.51.100.0/24, 203.0.113.0/24).
    for (int[] block : new int[][] {{192, 0, 2}, {192, 0, 3}, {198, 51, 100}, {203, 0, 113}, {10, 0, 0}}) {
      for (int last = 0; last < 256; last++) {
        addresses.add(new byte[] {(byte) block[0], (byte) block[1], (byte) block[2], (byte) last});
      }
    }
    for (int i = 0; i < 2_000; i++) {
      byte[] v6 = new byte[16];
      random.nextBytes(v6);
      if (i % 2 == 0) {
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[2] = 0x0d;
        v6[3] = (byte) 0xb8;
      }
      addresses.add(v6);
    }
    for (String file : List.of("city.mmdb", "city-record28.mmdb", "city-record32.mmdb", "country.mmdb",
        "city-ipv4-only.mmdb")) {
      Path path = MaxMindGeoLocatorTest.database(file);
      Metadata metadata;
      try (Reader reader = new Reader(path.toFile())) {
        metadata = reader.getMetadata();
      }
      try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
        MmdbTree walk = MmdbTree.mapForWalk(channel, path, metadata);
        MmdbTree wide = MmdbTree.map(channel, path, metadata, true, Long.MAX_VALUE);
        MmdbTree narrow = MmdbTree.map(channel, path, metadata, true, 0);
        for (byte[] a : addresses) {
          if (a.length == 16 && metadata.ipVersion() == 4) {
            continue;
          }
          long expected = walk.find(a);
          String what = file + " " + java.net.InetAddress.getByAddress(a).getHostAddress() + " (seed " + seed + ")";
          assertThat(wide.find(a)).as(what + ", 20-bit IPv4 table").isEqualTo(expected);
          assertThat(narrow.find(a)).as(what + ", 16-bit tables").isEqualTo(expected);
        }
      }
    }
  }
}
