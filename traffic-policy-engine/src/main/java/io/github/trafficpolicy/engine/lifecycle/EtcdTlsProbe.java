package io.github.trafficpolicy.engine.lifecycle;

import com.google.common.net.HostAndPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Finds out why etcd gave no answer when the cause is the connection's security rather than etcd being down: gRPC
 * retries a failed TLS handshake as if the server were unreachable, so a request only times out. After a timeout
 * the store asks this class, which makes one TLS handshake of its own (the JDK's, with the same CA and client
 * certificate) to each member and says what is wrong: the member's certificate is not signed by the trusted CA, it
 * refused the client certificate (or its absence), it does not answer TLS although the settings say so, or it
 * answers TLS although the settings name no CA. Such a problem does not go away by waiting, so opening fails at once.
 */
final class EtcdTlsProbe {
  private static final int PROBE_MILLIS = 2000;

  private EtcdTlsProbe() {}

  /** What is wrong with the security of the connection to a member of {@code settings}, if anything is. */
  static Optional<String> diagnose(EtcdSettings settings) {
    for (HostAndPort member : settings.endpoints()) {
      Optional<String> problem = settings.trustedCa().isPresent() ? tls(settings, member) : plain(member);
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  /** With TLS configured: a handshake with the configured CA and client certificate, then a read for an alert. */
  private static Optional<String> tls(EtcdSettings settings, HostAndPort member) {
    Path ca = settings.trustedCa().orElseThrow();
    SSLContext context;
    try {
      context = context(ca, settings.clientCertificate(), settings.clientKey());
    } catch (IOException | GeneralSecurityException e) {
      return Optional.of("cannot use the TLS files of " + settings.uri() + ": " + e.getMessage());
    }
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(connect(member), member.getHost(),
        member.getPort(), true)) {
      socket.startHandshake();
      // In TLS 1.3 the server checks the client certificate after the client's handshake is done: a refusal
      // arrives as an alert on the first read. A member that accepted waits for the client to speak first.
      socket.setSoTimeout(PROBE_MILLIS / 2);
      try {
        int unused = socket.getInputStream().read();
      } catch (SocketTimeoutException e) {
        // accepted: the member waits for the client to speak first
      }
      return Optional.empty();
    } catch (SSLException e) {
      return tlsProblem(settings, member, ca, e);
    } catch (IOException e) {
      return Optional.empty(); // not listening, reset: unreachable, which the caller says already
    }
  }

  /** The problem a failed handshake shows, if it is one of those waiting does not cure (else, say, a reset). */
  private static Optional<String> tlsProblem(EtcdSettings settings, HostAndPort member, Path ca, SSLException e) {
    String why = messages(e);
    String at = "TLS with etcd at " + member + " failed: ";
    if (why.contains("PKIX") || why.contains("certification path") || why.contains("No subject alternative")
        || why.contains("No name matching")) {
      return Optional.of(at + "its certificate is not one the trusted CA " + ca + " signed for " + member.getHost()
          + " (" + why + ")");
    }
    if (why.contains("bad_certificate") || why.contains("certificate_required") || why.contains("unknown_ca")
        || why.contains("handshake_failure")) {
      return Optional.of(at + "it refused " + settings.clientCertificate().map(c -> "the client certificate " + c
          + " (not signed by a CA it trusts?)").orElse("to go on without a client certificate (name one)") + " ("
          + why + ")");
    }
    if (why.contains("Unsupported or unrecognized SSL message")
        || why.contains("Remote host terminated the handshake")) {
      return Optional.of(at + "it does not answer TLS (it ended the handshake as a plain-text etcd does: then name no"
          + " trusted CA) (" + why + ")");
    }
    return Optional.empty();
  }

  /**
   * Without TLS configured: whether the member answers a TLS handshake (it sends its certificate), which means it
   * ignores plain-text requests. The trust manager records that and refuses, so no connection is ever made.
   */
  private static Optional<String> plain(HostAndPort member) {
    boolean[] sawCertificate = new boolean[1];
    X509TrustManager recorder = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a probe trusts no client");
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        sawCertificate[0] = true;
        throw new CertificateException("a probe trusts no server");
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {recorder}, null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(connect(member),
          member.getHost(), member.getPort(), true)) {
        socket.startHandshake();
      }
    } catch (IOException | GeneralSecurityException e) {
      // a refused certificate or no TLS: which one, the recorder says
    }
    return sawCertificate[0] ? Optional.of("etcd at " + member + " serves TLS, but no trusted CA is configured: it "
        + "does not answer plain-text requests (name the CA of its certificate)") : Optional.empty();
  }

  private static Socket connect(HostAndPort member) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(member.getHost(), member.getPort()), PROBE_MILLIS);
      s.setSoTimeout(PROBE_MILLIS);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private static SSLContext context(Path ca, Optional<Path> certificate, Optional<Path> key)
      throws IOException, GeneralSecurityException {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    int i = 0;
    for (Certificate c : certificates(ca)) {
      trusted.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    KeyManager[] keyManagers = null;
    if (certificate.isPresent() && key.isPresent()) {
      KeyStore own = KeyStore.getInstance(KeyStore.getDefaultType());
      own.load(null, null);
      char[] none = new char[0];
      own.setKeyEntry("client", privateKey(key.get()), none,
          certificates(certificate.get()).toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(own, none);
      keyManagers = kmf.getKeyManagers();
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers, tmf.getTrustManagers(), null);
    return context;
  }

  private static Collection<? extends Certificate> certificates(Path pem)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (all.isEmpty()) {
        throw new CertificateException(pem + " holds no certificate");
      }
      return all;
    }
  }

  /** A PKCS#8 PEM private key (RSA, EC or EdDSA). */
  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    int start = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (start < 0 || end < start) {
      throw new GeneralSecurityException(pem + " is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(start + 27, end));
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "EdDSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException(pem + ": not an RSA, EC or EdDSA key", last);
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      if (b.indexOf(m) < 0) {
        b.append(b.length() == 0 ? "" : ": ").append(m);
      }
    }
    return b.toString();
  }
}
