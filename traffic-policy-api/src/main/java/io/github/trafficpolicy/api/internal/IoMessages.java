package io.github.trafficpolicy.api.internal;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file could not be read, in words for people: the one place every module turns an {@link IOException} into
 * the end of a "cannot read FILE: ..." message. No exception class names and no stack-trace text reach the user.
 * Not API.
 */
public final class IoMessages {
  private IoMessages() {}

  /**
   * Why reading failed: {@code no such file}, {@code permission denied}, {@code not a directory}, {@code not UTF-8
   * text}, the operating system's reason (for example {@code Is a directory}), or the exception's own message
   * (also for the unchecked exceptions of a parser, whose messages say what is wrong with the content).
   */
  public static String describe(Exception e) {
    checkNotNull(e, "e");
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    if (e instanceof FileSystemException f) {
      return f.getReason() != null ? f.getReason() : "input/output error";
    }
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      return e instanceof IOException ? "input/output error" : "unexpected error";
    }
    return e.getMessage();
  }

  /** The exception's message, or when it has none (a NullPointerException may not) its class's simple name. */
  public static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** {@code cannot read FILE: WHY}, with {@code file} as given (a path or another description of the source). */
  public static String cannotRead(Object file, Exception e) {
    checkNotNull(file, "file");
    return "cannot read " + file + ": " + describe(e);
  }
}
