package io.github.trafficpolicy.api.internal;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Problem;
import java.security.CodeSource;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The JSON codec's way into the model's package-private hooks: building a document with the text it was read from
 * and the reader's warnings, and validating a document some of whose parts did not parse. The model installs the
 * hooks; only classes of the codec package ({@code io.github.trafficpolicy.api.json}) from the same jar get them,
 * so a document's {@link PolicyDocument#sourceText()} is always the text the codec read it from. Not API.
 */
public final class CodecHooks {
  private static final String MODEL_PACKAGE = "io.github.trafficpolicy.api";
  private static final String CODEC_PACKAGE = "io.github.trafficpolicy.api.json";
  private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private static volatile @Nullable Hooks hooks;

  private CodecHooks() {}

  /** What the model lets the codec do. */
  public interface Hooks {
    /**
     * {@code builder}'s document, with the exact {@code sourceText} it was read from (which writing it back
     * reproduces) and every warning found while reading it ({@link PolicyDocument#warnings()}).
     */
    PolicyDocument build(PolicyDocument.Builder builder, String sourceText, List<Problem> warnings);

    /** Every problem of a possibly incomplete document, errors and warnings, in document order. */
    ImmutableList<Problem> validate(DocumentParts parts);
  }

  /** Called once by the model package as it is initialized. */
  public static void install(Hooks modelHooks) {
    checkNotNull(modelHooks, "modelHooks");
    Class<?> caller = WALKER.getCallerClass();
    checkState(isOwn(caller, MODEL_PACKAGE), "only the model installs the codec hooks");
    checkState(hooks == null, "the codec hooks are already installed");
    hooks = modelHooks;
  }

  /** The hooks, for the codec package only. */
  public static Hooks forCodec() {
    Class<?> caller = WALKER.getCallerClass();
    checkState(isOwn(caller, CODEC_PACKAGE), "the codec hooks are for %s only, not %s", CODEC_PACKAGE,
        caller.getName());
    Hooks h = hooks;
    if (h == null) {
      try {
        // Installed by PolicyDocument's static initializer.
        Class.forName(PolicyDocument.class.getName(), true, PolicyDocument.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      h = hooks;
    }
    return checkNotNull(h, "the model did not install the codec hooks");
  }

  /** Whether {@code c} is a class of {@code pkg} loaded from the same place as this class. */
  private static boolean isOwn(Class<?> c, String pkg) {
    return c.getPackageName().equals(pkg) && Objects.equals(codeSource(c), codeSource(CodecHooks.class))
        && c.getClassLoader() == CodecHooks.class.getClassLoader();
  }

  private static CodeSource codeSource(Class<?> c) {
    return c.getProtectionDomain().getCodeSource();
  }
}
