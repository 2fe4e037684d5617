package io.github.trafficpolicy.dns;

/** How a query arrived: it decides the reply size limit (UDP: 512 bytes or the EDNS payload size; TCP: 65,535). */
public enum Transport {
  /** A datagram: replies are truncated (TC) to fit. */
  UDP,
  /** A TCP stream: replies are complete. */
  TCP
}
