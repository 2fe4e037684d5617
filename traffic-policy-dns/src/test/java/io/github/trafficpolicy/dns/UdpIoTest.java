package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which UDP I/O each Java release gets, decided without running it: these machines have Java 17 and 25 only, so
 * the choice for the releases in between is checked here (and the two at hand run the real thing in
 * {@code MmsgLoopbackServerTest} and the jar tests).
 */
final class UdpIoTest {
  @Test
  void java22AndLater_loadTheFinalForeignFunctionBinding() {
    for (int feature : new int[] {22, 23, 24, 25, 26}) {
      assertThat(UdpIo.Mmsg.unavailable("Linux", "amd64", feature, false)).as("Java " + feature).isEmpty();
      assertThat(UdpIo.Mmsg.unavailable("Linux", "aarch64", feature, true)).as("Java " + feature).isEmpty();
    }
  }

  @Test
  void java18To21_haveNoBinding_andSayWhy() {
    for (int feature : new int[] {18, 19, 20, 21}) {
      for (boolean incubator : new boolean[] {false, true}) {
        assertThat(UdpIo.Mmsg.unavailable("Linux", "amd64", feature, incubator)).as("Java " + feature)
            .hasValueSatisfying(reason -> assertThat(reason).isEqualTo("Java " + feature + " has neither the "
                + "foreign-function API incubated in Java 17 nor the final one of Java 22+"));
      }
    }
  }

  @Test
  void java17_needsTheIncubatingModule() {
    assertThat(UdpIo.Mmsg.unavailable("Linux", "x86_64", 17, true)).isEmpty();
    assertThat(UdpIo.Mmsg.unavailable("Linux", "x86_64", 17, false)).hasValueSatisfying(reason ->
        assertThat(reason).contains("--add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED"));
  }

  @Test
  void otherSystemsAndArchitectures_haveNoBinding_whateverTheRelease() {
    assertThat(UdpIo.Mmsg.unavailable("Mac OS X", "aarch64", 25, false)).hasValueSatisfying(reason ->
        assertThat(reason).contains("Linux system calls").contains("Mac OS X"));
    assertThat(UdpIo.Mmsg.unavailable("Linux", "riscv64", 25, false)).hasValueSatisfying(reason ->
        assertThat(reason).contains("x86-64 and AArch64 only").contains("riscv64"));
  }

  @Test
  void auto_isMmsgExactlyWhenThisJvmHasABinding() {
    Optional<String> reason = UdpIo.Mmsg.REASON;
    assertThat(UdpIo.AUTO.resolve()).isEqualTo(reason.isEmpty() ? UdpIo.MMSG : UdpIo.NIO);
    assertThat(UdpIo.NIO.resolve()).isEqualTo(UdpIo.NIO);
  }
}
