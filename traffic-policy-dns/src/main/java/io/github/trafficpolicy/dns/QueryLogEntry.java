package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * One line of the query log.
 *
 * @param client the source address of the query
 * @param ecs the EDNS Client Subnet option ({@code 192.0.2.0/24}), if the query had one
 * @param name the question name as sent
 * @param type the question type ({@code A}, {@code TYPE65534} …)
 * @param rcode the response code ({@code NOERROR}, {@code NXDOMAIN} …)
 * @param answer the answer records' data, space-separated (empty for none)
 * @param policy the policy id and version that produced the answer ({@code www-policy v3}), if a policy did
 */
public record QueryLogEntry(
    String client, Optional<String> ecs, String name, String type, String rcode, String answer,
    Optional<String> policy) {
  public QueryLogEntry {
    checkNotNull(client, "client");
    checkNotNull(ecs, "ecs (use Optional.empty())");
    checkNotNull(name, "name");
    checkNotNull(type, "type");
    checkNotNull(rcode, "rcode");
    checkNotNull(answer, "answer");
    checkNotNull(policy, "policy (use Optional.empty())");
  }

  /** {@code client=… ecs=… name=… type=… rcode=… answer=[…] policy=…}. */
  @Override
  public String toString() {
    return "client=" + client + " ecs=" + ecs.orElse("-") + " name=" + name + " type=" + type + " rcode=" + rcode
        + " answer=[" + answer + "] policy=" + policy.orElse("-");
  }
}
