#!/usr/bin/env python3
"""Checks a running server's answers against the bench policy (policy.py), client subnet by client subnet.

  check.py --port PORT --subnets MIX-subnets.tsv [--limit N] [--down REGION] [--names] [--weights] [--quiet]

For every subnet of the file (or N of them, drawn with a fixed seed) it asks www.example.test A with that subnet in
an EDNS Client Subnet option, and wants exactly one address, of the first region of the subnet's list (the second
when --down names the first: its endpoints are down). --names asks, per subnet, a random name of the 100,000 of
the names workload instead, and also wants the eu address of that name's policy version. Over all subnets, each
region's first endpoint must answer 3 times as often as its second (2.5 to 3.5 when a region has 400 answers or
more): gdnsd draws per query, traffic-policy hashes the client subnet, both split the clients 3:1. --weights also
asks 400 times from one subnet and prints the split (gdnsd about 3:1; traffic-policy one address, by design).
Exits 1 on any mismatch or a split out of range. Loopback servers only.
"""
import argparse
import collections
import os
import random
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_data  # noqa: E402
import policy  # noqa: E402


def skip_name(buf, off):
    while True:
        n = buf[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def answers(buf):
    """(rcode, [IPv4 addresses of the answer section])."""
    qd, an = struct.unpack(">HH", buf[4:8])
    off = 12
    for _ in range(qd):
        off = skip_name(buf, off) + 4
    out = []
    for _ in range(an):
        off = skip_name(buf, off)
        kind, _, _, size = struct.unpack(">HHIH", buf[off:off + 10])
        off += 10
        if kind == 1 and size == 4:
            out.append(socket.inet_ntoa(buf[off:off + 4]))
        off += size
    return buf[3] & 0x0F, out


class Client:
    def __init__(self, server, port):
        if not (server.startswith("127.") or server == "::1"):
            sys.exit("refusing a server outside the loopback range: " + server)
        self.addr = (server, port)
        self.sock = socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(2.0)
        self.qid = 0

    def ask(self, name, subnet):
        for _ in range(3):
            self.qid = (self.qid + 1) & 0xFFFF
            self.sock.sendto(make_data.query(self.qid, name, 1, subnet), self.addr)
            try:
                while True:
                    data = self.sock.recv(4096)
                    if struct.unpack(">H", data[:2])[0] == self.qid:
                        return answers(data)
            except socket.timeout:
                continue
        return -1, []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--subnets", required=True)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--down", default="", help="a region whose endpoints are all down")
    ap.add_argument("--names", action="store_true")
    ap.add_argument("--weights", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="only the exit status")
    a = ap.parse_args()

    rows = make_data.read_subnets(a.subnets)
    rng = random.Random(5)
    if a.limit and a.limit < len(rows):
        rows = rng.sample(rows, a.limit)
    client = Client(a.server, a.port)
    per_place = collections.defaultdict(lambda: [0, 0])
    split = collections.defaultdict(collections.Counter)
    bad = []
    for subnet, continent, country in rows:
        regions = policy.regions_for(continent, country)
        want = regions[1] if regions[0] == a.down else regions[0]
        if a.names:
            i = rng.randrange(policy.NAMES)
            name, endpoints = policy.name_of(i), policy.endpoints_for(*policy.binding_of(i))
        else:
            name, endpoints = policy.STEERED, policy.ENDPOINTS
        rcode, got = client.ask(name, subnet)
        allowed = [address for address, _ in endpoints[want]]
        ok = rcode == 0 and len(got) == 1 and got[0] in allowed
        place = country if (continent, country) in policy.COUNTRY_REGIONS else continent
        per_place[place + ("/v6" if subnet[0] == 6 else "")][0 if ok else 1] += 1
        if ok:
            split[want][allowed.index(got[0])] += 1
        else:
            bad.append("%s %s/%s %s: want one of %s, got rcode %d %s" % (
                make_data.subnet_text(subnet), continent, country, name, allowed, rcode, got))
    failed = bool(bad)
    if not a.quiet:
        print("127.0.0.1:%d: %d subnets%s, %d as the policy says, %d not%s" % (
            a.port, len(rows), " (names workload)" if a.names else "", len(rows) - len(bad), len(bad),
            " [region %s down]" % a.down if a.down else ""))
        print("  " + "  ".join("%s %d/%d" % (k, v[0], v[0] + v[1]) for k, v in sorted(per_place.items())))
        for line in bad[:5]:
            print("  mismatch: " + line)
    for region, c in sorted(split.items()):
        first, second = c[0], c[1]
        ratio = first / second if second else float("inf")
        in_range = first + second < 400 or 2.5 <= ratio <= 3.5
        failed |= not in_range
        if not a.quiet:
            print("  %s split over subnets: %d : %d (%.2f)%s" % (region, first, second, ratio,
                                                                 "" if in_range else "  <- not 3:1"))
    if a.weights and not a.quiet:
        subnet = make_data.parse_subnet("81.2.69.0/24")  # GB in GeoLite2 City
        c = collections.Counter(",".join(client.ask(policy.STEERED, subnet)[1]) for _ in range(400))
        print("  400 queries from 81.2.69.0/24 (GB): %s" % dict(c))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
