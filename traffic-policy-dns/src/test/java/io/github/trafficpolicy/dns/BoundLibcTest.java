package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;

final class BoundLibcTest {
  @Test
  void call_downcallReturns_returnsTheFunctionsResult() {
    Libc libc = new Fake((name, type) -> constant(type, 7));
    assertThat(libc.socket(2, 2, 0)).isEqualTo(7);
    assertThat(libc.recvmmsg(3, 0L, 64, 0)).isEqualTo(7);
  }

  @Test
  void call_downcallThrowsChecked_throwsNamingTheFunctionInsteadOfReturningMinusOne() {
    Libc libc = new Fake((name, type) -> throwing(type, new IOException("binding broke")));
    assertThatThrownBy(() -> libc.sendmmsg(3, 0L, 1, 0)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sendmmsg").hasCauseInstanceOf(IOException.class);
  }

  @Test
  void call_downcallThrowsError_rethrowsTheErrorAsItIs() {
    Libc libc = new Fake((name, type) -> throwing(type, new StackOverflowError("deep")));
    assertThatThrownBy(() -> libc.close(3)).isInstanceOf(StackOverflowError.class).hasMessage("deep");
  }

  private static MethodHandle constant(MethodType type, int value) {
    MethodHandle c = MethodHandles.constant(int.class, value);
    return MethodHandles.dropArguments(c, 0, type.parameterList());
  }

  private static MethodHandle throwing(MethodType type, Throwable t) {
    MethodHandle thrower = MethodHandles.throwException(int.class, t.getClass());
    MethodHandle bound = MethodHandles.insertArguments(thrower, 0, t);
    return MethodHandles.dropArguments(bound, 0, type.parameterList());
  }

  /** A binding whose downcalls are the given handles. */
  private static final class Fake extends BoundLibc {
    Fake(Downcalls d) {
      super(d);
    }

    @Override
    public String api() {
      return "fake";
    }

    @Override
    public int errno() {
      return 0;
    }

    @Override
    public String strerror(int errno) {
      return "errno " + errno;
    }

    @Override
    public long address(java.nio.ByteBuffer direct) {
      return 0;
    }
  }
}
