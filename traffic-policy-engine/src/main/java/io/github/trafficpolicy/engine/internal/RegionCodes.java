package io.github.trafficpolicy.engine.internal;

import static com.google.common.base.Preconditions.checkNotNull;

/** Region and local zone codes as policy documents may give them. Shared by the core and the inputs. Not API. */
public final class RegionCodes {
  private static final String PREFIX = "aws:route53:";

  private RegionCodes() {}

  /** {@code code} without the {@code aws:route53:} prefix that documents may give it: {@code us-east-1}. */
  public static String plain(String code) {
    checkNotNull(code, "code");
    return code.startsWith(PREFIX) ? code.substring(PREFIX.length()) : code;
  }
}
