package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.hash.Hashing;
import com.google.common.io.BaseEncoding;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256
 * Credential=KEY/DATE/REGION/route53/aws4_request, SignedHeaders=..., Signature=...}) as AWS documents it: the
 * canonical request (method; the path with dot segments removed and URI-encoded once
 * more, as every service but S3 signs it; the query parameters encoded and sorted; the signed headers with trimmed
 * values; the SHA-256 of the body), the string to sign, the HMAC chain of the signing key, and a constant-time
 * comparison. The time ({@code X-Amz-Date}, else {@code Date}) must be within 15 minutes of the server's clock; the
 * credential scope's date must be the request's, its service {@code route53}; any region is accepted (clients sign
 * Route 53 for {@code us-east-1} or the region they are configured with). {@code host} must be signed. When
 * {@code X-Amz-Content-SHA256} is sent it must be the body's hash.
 *
 * <p>Refusals use Route 53's (AWS's common) error codes: {@code MissingAuthenticationToken} (403, no signature),
 * {@code IncompleteSignature} (400, a malformed one), {@code InvalidClientTokenId} (403, unknown key),
 * {@code RequestExpired} (400, outside the window), {@code SignatureDoesNotMatch} (403).
 */
public final class SigV4 {
  /** How far the request's time may be from the server's. */
  public static final Duration WINDOW = Duration.ofMinutes(15);
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String SERVICE = "route53";
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);

  private final AccessKeys keys;
  private final Clock clock;

  /** A verifier of signatures made with {@code keys}, judging time by {@code clock}. */
  public SigV4(AccessKeys keys, Clock clock) {
    this.keys = checkNotNull(keys, "keys");
    this.clock = checkNotNull(clock, "clock");
  }

  /**
   * The key that signed {@code request}.
   *
   * @throws ApiException when the request is unsigned, wrongly signed, too old or too new, or signed by an unknown
   *     key
   */
  public AccessKeys.Key verify(ApiRequest request) {
    List<String> auths = request.headers("authorization");
    if (auths.isEmpty()) {
      throw new ApiException(403, "MissingAuthenticationToken", "Missing Authentication Token");
    }
    if (auths.size() > 1) {
      throw incomplete("more than one Authorization header");
    }
    Authorization auth = Authorization.parse(auths.get(0));
    Instant time = requestTime(request);
    Instant now = clock.instant();
    if (Duration.between(time, now).abs().compareTo(WINDOW) > 0) {
      throw new ApiException(400, "RequestExpired", "Request timestamp "
          + AMZ_DATE.format(time.atOffset(ZoneOffset.UTC)) + " is more than " + WINDOW.toMinutes() + " minutes from the server time "
          + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)));
    }
    String amzDate = AMZ_DATE.format(time.atOffset(ZoneOffset.UTC));
    if (!auth.date().equals(amzDate.substring(0, 8))) {
      throw new ApiException(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid date: "
          + amzDate.substring(0, 8) + " but was " + auth.date());
    }
    if (!auth.service().equals(SERVICE)) {
      throw new ApiException(403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: '"
          + SERVICE + "'");
    }
    if (!auth.signedHeaders().contains("host")) {
      throw incomplete("SignedHeaders must include host");
    }
    AccessKeys.Key key = keys.find(auth.accessKeyId()).orElseThrow(() -> new ApiException(403,
        "InvalidClientTokenId", "The security token included in the request is invalid."));
    String bodyHash = Hashing.sha256().hashBytes(request.body()).toString();
    for (String sent : request.headers("x-amz-content-sha256")) {
      if (!sent.equals(bodyHash)) {
        throw new ApiException(400, "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
    }
    String canonical = canonicalRequest(request, auth.signedHeaders(), bodyHash);
    String scope = auth.date() + "/" + auth.region() + "/" + auth.service() + "/aws4_request";
    String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
        + Hashing.sha256().hashString(canonical, StandardCharsets.UTF_8);
    byte[] signingKey = signingKey(key.secret(), auth.date(), auth.region(), auth.service());
    byte[] expected = hmac(signingKey, toSign);
    byte[] given;
    try {
      given = BaseEncoding.base16().lowerCase().decode(auth.signature());
    } catch (IllegalArgumentException e) {
      throw incomplete("Signature must be lower-case hex");
    }
    if (!MessageDigest.isEqual(expected, given)) {
      throw new ApiException(403, "SignatureDoesNotMatch", "The request signature we calculated does not match "
          + "the signature you provided. Check your AWS Secret Access Key and signing method.");
    }
    return key;
  }

  /** The canonical request AWS signs (exposed for tests and diagnostics). */
  static String canonicalRequest(ApiRequest request, List<String> signedHeaders, String bodyHash) {
    StringBuilder b = new StringBuilder();
    b.append(request.method()).append('\n');
    b.append(uriEncode(normalizedPath(request.rawPath()), false)).append('\n');
    b.append(canonicalQuery(request.rawQuery())).append('\n');
    for (String h : signedHeaders) {
      List<String> values = request.headers(h);
      List<String> trimmed = new ArrayList<>();
      for (String v : values) {
        trimmed.add(v.strip().replaceAll(" +", " "));
      }
      b.append(h).append(':').append(String.join(",", trimmed)).append('\n');
    }
    b.append('\n').append(String.join(";", signedHeaders)).append('\n').append(bodyHash);
    return b.toString();
  }

  /** The path with its dot segments removed (as AWS signers normalize it); {@code /} for an empty one. */
  static String normalizedPath(String rawPath) {
    if (rawPath.isEmpty()) {
      return "/";
    }
    try {
      String p = new java.net.URI(null, null, rawPath, null).normalize().getRawPath();
      // The URI constructor quoted the path once more: back to the form that was sent.
      p = decode(p);
      return p.isEmpty() ? "/" : p;
    } catch (java.net.URISyntaxException e) {
      return rawPath;
    }
  }

  /** The query's parameters, each decoded and then encoded strictly, sorted by name then value. */
  static String canonicalQuery(String rawQuery) {
    if (rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> list = new ArrayList<>();
    for (String part : rawQuery.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      // A raw '+' is a space (as the AWS SDKs read a query); a plus sign is sent as %2B.
      list.add(new String[] {uriEncode(decode(name.replace('+', ' ')), true),
          uriEncode(decode(value.replace('+', ' ')), true)});
    }
    list.sort((x, y) -> x[0].equals(y[0]) ? x[1].compareTo(y[1]) : x[0].compareTo(y[0]));
    StringBuilder b = new StringBuilder();
    for (String[] p : list) {
      if (b.length() > 0) {
        b.append('&');
      }
      b.append(p[0]).append('=').append(p[1]);
    }
    return b.toString();
  }

  /** Percent-decodes ({@code +} is left as it is); a malformed escape is refused. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw ApiException.invalidInput("malformed percent-encoding in " + s);
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw ApiException.invalidInput("malformed percent-encoding in " + s);
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** RFC 3986 encoding as SigV4 wants it: unreserved characters stay, every other byte is {@code %XX}. */
  static String uriEncode(String s, boolean encodeSlash) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }

  static byte[] signingKey(String secret, String date, String region, String service) {
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    return hmac(k, "aws4_request");
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  private static Instant requestTime(ApiRequest request) {
    List<String> amz = request.headers("x-amz-date");
    if (!amz.isEmpty()) {
      try {
        return LocalDateTime.parse(amz.get(0).strip(), AMZ_DATE).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw incomplete("X-Amz-Date must be yyyyMMdd'T'HHmmss'Z' but was " + amz.get(0));
      }
    }
    List<String> date = request.headers("date");
    if (!date.isEmpty()) {
      try {
        return Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(date.get(0).strip()));
      } catch (DateTimeParseException e) {
        throw incomplete("Date must be an RFC 1123 date but was " + date.get(0));
      }
    }
    throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }

  private static ApiException incomplete(String message) {
    return new ApiException(400, "IncompleteSignature", message);
  }

  /** The parsed {@code Authorization} header. */
  record Authorization(String accessKeyId, String date, String region, String service,
                       ImmutableList<String> signedHeaders, String signature) {
    static Authorization parse(String header) {
      String h = header.strip();
      if (!h.startsWith(ALGORITHM + " ")) {
        throw incomplete("Authorization header must use " + ALGORITHM);
      }
      Map<String, String> parts = new LinkedHashMap<>();
      for (String part : h.substring(ALGORITHM.length()).split(",", -1)) {
        String p = part.strip();
        if (p.isEmpty() && !parts.isEmpty()) {
          continue; // a trailing or doubled comma
        }
        int eq = p.indexOf('=');
        if (eq <= 0) {
          throw incomplete("Authorization header component '" + p + "' is not name=value");
        }
        if (parts.put(p.substring(0, eq), p.substring(eq + 1)) != null) {
          throw incomplete("Authorization header repeats " + p.substring(0, eq));
        }
      }
      String credential = parts.get("Credential");
      String signed = parts.get("SignedHeaders");
      String signature = parts.get("Signature");
      if (credential == null || signed == null || signature == null) {
        throw incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'");
      }
      String[] c = credential.split("/", -1);
      if (c.length != 5 || !c[4].equals("aws4_request") || !c[1].matches("\\d{8}") || c[0].isEmpty()
          || c[2].isEmpty()) {
        throw incomplete("Credential must be KEY/yyyyMMdd/REGION/SERVICE/aws4_request");
      }
      List<String> headers = List.of(signed.split(";", -1));
      for (int i = 0; i < headers.size(); i++) {
        String name = headers.get(i);
        if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT))
            || (i > 0 && headers.get(i - 1).compareTo(name) >= 0)) {
          throw incomplete("SignedHeaders must be lower-case names, sorted, separated by ';'");
        }
      }
      if (!signature.matches("[0-9a-f]{64}")) {
        throw incomplete("Signature must be 64 lower-case hex digits");
      }
      return new Authorization(c[0], c[1], c[2], c[3], ImmutableList.copyOf(headers), signature);
    }
  }
}
