package io.github.trafficpolicy.engine.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.ClientSubnet;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Longest-prefix match and the reported uniform prefix, checked against brute force over random tables. Addresses
 * and networks are drawn close together (a few random bits under a shared prefix) so nesting is common.
 */
final class PrefixTrieProperties {
  private static final long SEED = 0x5eed_7123L;

  @RepeatedTest(40)
  void lookupMatchesBruteForceAndPrefixIsUniform(RepetitionInfo repetition) throws UnknownHostException {
    long seed = SEED + repetition.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    int bytes = random.nextBoolean() ? 4 : 16;
    int bits = bytes * 8;
    byte[] base = new byte[bytes];
    random.nextBytes(base);
    int shared = bits - 12;

    PrefixTrie.Builder<Integer> builder = PrefixTrie.builder();
    List<Cidr> networks = new ArrayList<>();
    for (int i = 0; i < 1 + random.nextInt(12); i++) {
      int prefix = random.nextInt(bits - 8, bits + 1);
      Cidr network = new Cidr(ClientSubnet.mask(near(base, shared, random), prefix), prefix);
      if (builder.put(network, networks.size())) {
        networks.add(network);
      }
    }
    PrefixTrie<Integer> trie = builder.build();

    for (int probe = 0; probe < 64; probe++) {
      InetAddress address = near(base, shared, random);
      long result = trie.find(address);
      int expected = longestMatch(networks, address);
      String context = "seed " + seed + ", networks " + networks + ", address " + address.getHostAddress();
      assertThat(PrefixTrie.index(result) < 0 ? -1 : trie.value(PrefixTrie.index(result))).as(context)
          .isEqualTo(expected);
      int prefix = PrefixTrie.prefix(result);
      assertThat(prefix).as(context).isBetween(expected < 0 ? 0 : networks.get(expected).prefixLength(), bits);
      // Every address in address/prefix gets the same answer.
      for (int other = 0; other < 16; other++) {
        InetAddress sibling = sameBlock(address, prefix, random);
        assertThat(longestMatch(networks, sibling)).as(context + ", sibling " + sibling.getHostAddress()
            + " in /" + prefix).isEqualTo(expected);
      }
      // And the block one bit wider does not hold any answer the narrower one does not (prefix is not too long):
      // unless prefix is 0 or the matched network's own prefix, some address in the wider block answers otherwise.
      if (prefix > 0 && (expected < 0 || prefix > networks.get(expected).prefixLength())) {
        assertThat(widerBlockDiffers(networks, address, prefix - 1, expected)).as(context).isTrue();
      }
    }
  }

  private static boolean widerBlockDiffers(List<Cidr> networks, InetAddress address, int wider, int expected) {
    for (Cidr n : networks) {
      if (n.prefixLength() > wider && contains(new Cidr(ClientSubnet.mask(address, wider), wider), n.address())
          && !contains(n, address)) {
        return true;
      }
    }
    return false;
  }

  private static int longestMatch(List<Cidr> networks, InetAddress address) {
    int best = -1;
    for (int i = 0; i < networks.size(); i++) {
      if (contains(networks.get(i), address)
          && (best < 0 || networks.get(i).prefixLength() > networks.get(best).prefixLength())) {
        best = i;
      }
    }
    return best;
  }

  private static boolean contains(Cidr network, InetAddress address) {
    return network.address().getAddress().length == address.getAddress().length
        && ClientSubnet.mask(address, network.prefixLength()).equals(network.address());
  }

  private static InetAddress near(byte[] base, int shared, SplittableRandom random) throws UnknownHostException {
    byte[] b = base.clone();
    for (int bit = shared; bit < b.length * 8; bit++) {
      if (random.nextBoolean()) {
        b[bit >> 3] ^= (byte) (0x80 >>> (bit & 7));
      }
    }
    return InetAddress.getByAddress(b);
  }

  private static InetAddress sameBlock(InetAddress address, int prefix, SplittableRandom random)
      throws UnknownHostException {
    byte[] b = address.getAddress();
    for (int bit = prefix; bit < b.length * 8; bit++) {
      if (random.nextBoolean()) {
        b[bit >> 3] ^= (byte) (0x80 >>> (bit & 7));
      }
    }
    return InetAddress.getByAddress(b);
  }
}
