package io.github.trafficpolicy.engine.input;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Looks one name up through recursive resolvers with dnsjava's asynchronous {@link SimpleResolver}, following CNAME
 * chains, and says what came of it as a {@link Result}. The futures it returns never fail: every error is a result.
 * Resolvers are tried in the order given; the next is asked when one times out, cannot be reached, or answers with
 * anything but NOERROR or NXDOMAIN.
 */
final class DnsLookup {
  private final ImmutableList<InetSocketAddress> resolvers;
  private final SimpleResolver[] clients;
  private final Duration timeout;
  private final int maxChain;

  DnsLookup(List<InetSocketAddress> resolvers, Duration timeout, int maxChain) {
    this.resolvers = ImmutableList.copyOf(resolvers);
    this.timeout = timeout;
    this.maxChain = maxChain;
    this.clients = new SimpleResolver[resolvers.size()];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = new SimpleResolver(resolvers.get(i));
      clients[i].setTimeout(timeout);
    }
  }

  ImmutableList<InetSocketAddress> resolvers() {
    return resolvers;
  }

  /** What a lookup found. */
  enum Kind {
    /** Records of the type asked for. */
    ADDRESSES,
    /** The name (or the end of its CNAME chain) does not exist. */
    NXDOMAIN,
    /** The name exists but has no records of the type asked for. */
    NODATA,
    /** A CNAME loop or a chain longer than allowed. */
    BAD_CHAIN,
    /** Not a DNS name. */
    INVALID,
    /** No resolver gave an answer. */
    FAILED
  }

  /**
   * @param kind what was found
   * @param records the records (for {@link Kind#ADDRESSES}), deduplicated, in the order answered
   * @param ttl the smallest TTL along the chain, or the negative TTL of a negative answer, in seconds; -1 when the
   *     answer gave none
   * @param text the chain looked up and where the answer came from, or why there is none
   */
  record Result(Kind kind, ImmutableList<RecordData> records, long ttl, String text) {
    static Result of(Kind kind, long ttl, String text) {
      return new Result(kind, ImmutableList.of(), ttl, text);
    }
  }

  /** Looks {@code name} up for records of {@code type} (A or AAAA). */
  CompletableFuture<Result> lookup(String name, RecordType type) {
    Name start;
    try {
      start = Name.fromString(name, Name.root);
    } catch (TextParseException e) {
      return CompletableFuture.completedFuture(Result.of(Kind.INVALID, -1, "'" + name + "' is not a DNS name: "
          + e.getMessage()));
    }
    Chase chase = new Chase(start, type == RecordType.AAAA ? Type.AAAA : Type.A);
    return chase.ask(start, 0);
  }

  /** One lookup: the names seen so far, for loops, and the smallest TTL. */
  private final class Chase {
    final int qtype;
    final List<Name> chain = new ArrayList<>();
    final Set<Name> seen = new HashSet<>();
    long ttl = Long.MAX_VALUE;
    /** Why each resolver asked for the current name failed. */
    final List<String> failures = new ArrayList<>();

    Chase(Name start, int qtype) {
      this.qtype = qtype;
      chain.add(start);
      seen.add(start);
    }

    CompletableFuture<Result> ask(Name qname, int resolver) {
      if (resolver == clients.length) {
        return CompletableFuture.completedFuture(Result.of(Kind.FAILED, -1, String.join("; ", failures)));
      }
      Message query = Message.newQuery(Record.newRecord(qname, qtype, DClass.IN));
      CompletableFuture<Message> sent;
      try {
        sent = clients[resolver].sendAsync(query).toCompletableFuture();
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      return sent
          .handle((reply, error) -> {
            String from = address(resolver);
            if (error != null) {
              failures.add(from + " " + describe(error));
              return null;
            }
            int rcode = reply.getRcode();
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
              failures.add(from + " answered " + Rcode.string(rcode));
              return null;
            }
            return reply;
          })
          .thenCompose(reply -> reply == null ? ask(qname, resolver + 1) : read(qname, reply, address(resolver)));
    }

    /** Reads a NOERROR or NXDOMAIN reply to a question for {@code qname}. */
    private CompletableFuture<Result> read(Name qname, Message reply, String from) {
      Name current = qname;
      while (true) {
        ImmutableList<RecordData> found = addresses(reply, current);
        if (!found.isEmpty()) {
          return done(new Result(Kind.ADDRESSES, found, ttl, chainText() + " from " + from));
        }
        CNAMERecord cname = cname(reply, current);
        if (cname == null) {
          break;
        }
        ttl = Math.min(ttl, cname.getTTL());
        Name next = cname.getTarget();
        chain.add(next);
        if (!seen.add(next)) {
          return done(Result.of(Kind.BAD_CHAIN, -1, "CNAME loop: " + chainText() + " (from " + from + ")"));
        }
        if (chain.size() - 1 > maxChain) {
          return done(Result.of(Kind.BAD_CHAIN, -1, "CNAME chain longer than " + maxChain + " links: "
              + chainText() + " (from " + from + ")"));
        }
        current = next;
      }
      SOARecord soa = soa(reply);
      long negativeTtl = soa == null ? -1 : Math.min(soa.getTTL(), soa.getMinimum());
      if (reply.getRcode() == Rcode.NXDOMAIN) {
        return done(Result.of(Kind.NXDOMAIN, negativeTtl, "NXDOMAIN for " + text(current) + chainSuffix()
            + " (from " + from + ")"));
      }
      if (!current.equals(qname) && soa == null) {
        // The chain leaves what that server answered for: ask for where it leads.
        failures.clear();
        return ask(current, 0);
      }
      return done(Result.of(Kind.NODATA, negativeTtl, "no " + Type.string(qtype) + " records for "
          + text(current) + chainSuffix() + " (from " + from + ")"));
    }

    private CompletableFuture<Result> done(Result r) {
      return CompletableFuture.completedFuture(r);
    }

    private String chainText() {
      List<String> names = new ArrayList<>();
      chain.forEach(n -> names.add(text(n)));
      return String.join(" -> ", names);
    }

    private String chainSuffix() {
      return chain.size() > 1 ? " (via " + chainText() + ")" : "";
    }

    private ImmutableList<RecordData> addresses(Message reply, Name owner) {
      Set<RecordData> found = new LinkedHashSet<>();
      long min = Long.MAX_VALUE;
      for (Record r : reply.getSection(Section.ANSWER)) {
        if (r.getType() == qtype && r.getName().equals(owner)) {
          InetAddress a = r instanceof ARecord ar ? ar.getAddress() : ((AAAARecord) r).getAddress();
          found.add(a instanceof Inet4Address v4 ? new RecordData.A(v4) : new RecordData.Aaaa((Inet6Address) a));
          min = Math.min(min, r.getTTL());
        }
      }
      if (!found.isEmpty()) {
        ttl = Math.min(ttl, min);
      }
      return ImmutableList.copyOf(found);
    }
  }

  private static @Nullable CNAMERecord cname(Message reply, Name owner) {
    for (Record r : reply.getSection(Section.ANSWER)) {
      if (r instanceof CNAMERecord c && r.getName().equals(owner)) {
        return c;
      }
    }
    return null;
  }

  private static @Nullable SOARecord soa(Message reply) {
    for (Record r : reply.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord s) {
        return s;
      }
    }
    return null;
  }

  private String address(int resolver) {
    InetSocketAddress a = resolvers.get(resolver);
    String host = a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  private String describe(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof SocketTimeoutException || e instanceof TimeoutException) {
      return "timed out after " + timeout.toMillis() + " ms";
    }
    String message = e.getMessage() == null ? "" : e.getMessage();
    return e instanceof IOException ? "failed: " + (message.isEmpty() ? "network error" : message)
        : "failed: " + (message.isEmpty() ? e.getClass().getSimpleName() : message);
  }

  private static String text(Name n) {
    return n.toString(true);
  }
}
