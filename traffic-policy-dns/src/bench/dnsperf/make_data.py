#!/usr/bin/env python3
"""Inputs of the dnsperf bench, deterministic for a given seed (Python standard library only).

  make_data.py [--out DIR] [--mmdb GeoLite2-City.mmdb] [--only static,shared,wide,names] [--force]

Writes into DIR (default $BENCH_DATA/dnsperf, $BENCH_DATA defaulting to ~/.cache/traffic-policy-bench):

  example.test.zone     the static zone: SOA, NS, MX, TXT, a CNAME, 1,000 hosts with A and AAAA
  static.txt            dnsperf text input on that zone, 20,000 lines: 70 % A, 10 % AAAA, 4 % MX, 3 % CNAME,
                        3 % TXT, 10 % names that do not exist (NXDOMAIN)
  shared.bin            dnsperf -B input (2-byte length, then the DNS message): www.example.test A, each query with
                        an EDNS Client Subnet option; 4,000 IPv4 /24s drawn by continent, 3 % more from IL/AE/QA/BH
                        and 400 IPv6 /56s (4,520 subnets), 50,000 queries
  wide.bin              the same for 300,000 /24s (+ 3 %: 309,000) and 60,000 /56s, 1,000,000 queries
  names.bin             1,000,000 queries for random names among the 100,000 of the names workload, each with a
                        client subnet of the wide mix
  MIX-subnets.tsv       subnet, continent, country, regions in policy order: what each server must answer
  MIX.json              the parameters a file was made with; a file is made again only when they change

Client subnets are drawn at random and kept when GeoLite2 City places them on a continent that still needs some
(continent shares of a global resolver population: EU 30 %, NA 28 %, AS 25 %, SA 7 %, OC 5 %, AF 5 %); /56s are drawn
inside the address blocks IANA gave the five regional registries. Every subnet of a mix is asked at least once,
then the rest of the queries draw subnets at random; the order is shuffled.
"""
import argparse
import ipaddress
import json
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mmdb  # noqa: E402
import policy  # noqa: E402

DATA = os.environ.get("BENCH_DATA") or os.path.join(os.path.expanduser("~"), ".cache", "traffic-policy-bench")

CONTINENT_SHARE = {"EU": 0.30, "NA": 0.28, "AS": 0.25, "SA": 0.07, "OC": 0.05, "AF": 0.05}
OVERRIDE_SHARE = 0.03  # of the IPv4 count, from the countries with their own region order
RIR_V6_BLOCKS = [(0x2001_0200 << 96, 23), (0x2400 << 112, 12), (0x2600 << 112, 12), (0x2800 << 112, 12),
                 (0x2A00 << 112, 12), (0x2C00 << 112, 12)]
MIXES = {  # name -> (IPv4 /24s by continent, IPv6 /56s, queries, seed)
    "shared": (4000, 400, 50_000, 20261204),
    "wide": (300_000, 60_000, 1_000_000, 12),
}
NAMES_QUERIES = 1_000_000
NAMES_SEED = 20
STATIC_LINES = 20_000
HOSTS = 1000
STATIC_SEED = 7

# IPv4 ranges that are never client subnets (RFC 6890 special purpose) beside 0/8, 10/8, 127/8 and 224/3.
_SPECIAL_V4 = [(0x64400000, 10), (0xA9FE0000, 16), (0xAC100000, 12), (0xC0000000, 24), (0xC0000200, 24),
               (0xC0A80000, 16), (0xC6120000, 15), (0xC6336400, 24), (0xCB007100, 24)]


def special_v4(address):
    return any(address >> (32 - bits) == net >> (32 - bits) for net, bits in _SPECIAL_V4)


# ---- DNS messages ---------------------------------------------------------------------------------------------

def wire_name(name):
    return b"".join(bytes([len(label)]) + label.encode("ascii") for label in name.rstrip(".").split(".")) + b"\0"


def ecs_option(version, address, prefix):
    """EDNS Client Subnet (option 8): family, source prefix, scope 0, the address cut to whole prefix bytes."""
    width = 32 if version == 4 else 128
    raw = address.to_bytes(width // 8, "big")[: (prefix + 7) // 8]
    data = struct.pack(">HBB", 1 if version == 4 else 2, prefix, 0) + raw
    return struct.pack(">HH", 8, len(data)) + data


def query(qid, name, qtype=1, subnet=None):
    """A query without RD; with an OPT record (payload 1232) carrying the subnet when one is given."""
    header = struct.pack(">HHHHHH", qid & 0xFFFF, 0, 1, 0, 0, 0 if subnet is None else 1)
    msg = header + wire_name(name) + struct.pack(">HH", qtype, 1)
    if subnet is not None:
        option = ecs_option(*subnet)
        msg += b"\0" + struct.pack(">HHIH", 41, 1232, 0, len(option)) + option
    return msg


def subnet_text(subnet):
    version, address, prefix = subnet
    if version == 4:
        return "%d.%d.%d.%d/%d" % (tuple(address.to_bytes(4, "big")) + (prefix,))
    return "%s/%d" % (ipaddress.IPv6Address(address), prefix)


def parse_subnet(text):
    net = ipaddress.ip_network(text)
    return net.version, int(net.network_address), net.prefixlen


# ---- client subnets -------------------------------------------------------------------------------------------

def draw_v4(db, rng, count):
    """`count` /24s shared out by CONTINENT_SHARE plus OVERRIDE_SHARE more from the override countries."""
    want = {c: round(count * s) for c, s in CONTINENT_SHARE.items()}
    want_override = round(count * OVERRIDE_SHARE)
    got = {c: [] for c in want}
    override = []
    seen = set()
    missing = sum(want.values()) + want_override
    tries = 0
    while missing > 0:
        tries += 1
        if tries > 200 * (count + 1000):
            raise SystemExit("could not draw enough located IPv4 subnets (is %s a GeoLite2 City database?)" % db)
        first = rng.randint(1, 223)
        if first in (10, 127):
            continue
        address = (first << 24) | (rng.getrandbits(16) << 8)
        if address in seen or special_v4(address):
            continue
        continent, country = db.locate(address, 4)
        if not continent or not country:
            continue
        if (continent, country) in policy.COUNTRY_REGIONS:
            bucket, limit = override, want_override
        elif continent in got:
            bucket, limit = got[continent], want[continent]
        else:
            continue
        if len(bucket) < limit:
            bucket.append(((4, address, 24), continent, country))
            seen.add(address)
            missing -= 1
    out = override
    for c in want:
        out.extend(got[c])
    return out


def draw_v6(db, rng, count):
    """`count` located /56s, as many from each registry block as it can place."""
    out, seen = [], set()
    per_block = -(-count // len(RIR_V6_BLOCKS))
    for i, (base, bits) in enumerate(RIR_V6_BLOCKS):
        target = min(per_block, count - len(out))
        taken, tries = 0, 0
        while taken < target and tries < 2000 * (target + 10):
            tries += 1
            address = (base | rng.getrandbits(128 - bits)) >> 72 << 72
            if address in seen:
                continue
            continent, country = db.locate(address, 6)
            if not continent or not country:
                continue
            seen.add(address)
            out.append(((6, address, 56), continent, country))
            taken += 1
    if len(out) < count:
        raise SystemExit("could only place %d of %d IPv6 /56s" % (len(out), count))
    return out


def write_mix(out, name, db, v4, v6, queries, seed):
    rng = random.Random(seed)
    subnets = draw_v4(db, rng, v4) + draw_v6(db, rng, v6)
    write_subnets(os.path.join(out, "%s-subnets.tsv" % name), subnets)
    picks = list(range(len(subnets)))
    picks += [rng.randrange(len(subnets)) for _ in range(max(0, queries - len(picks)))]
    rng.shuffle(picks)
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        for qid, index in enumerate(picks[:queries]):
            msg = query(qid, policy.STEERED, 1, subnets[index][0])
            f.write(struct.pack(">H", len(msg)) + msg)
    return subnets


def write_subnets(path, subnets):
    with open(path, "w") as f:
        f.write("subnet\tcontinent\tcountry\tregions\n")
        for subnet, continent, country in subnets:
            f.write("%s\t%s\t%s\t%s\n" % (subnet_text(subnet), continent, country,
                                          ",".join(policy.regions_for(continent, country))))


def read_subnets(path):
    with open(path) as f:
        next(f)
        return [(parse_subnet(s), c, k) for s, c, k, _ in (line.rstrip("\n").split("\t") for line in f)]


def write_names(out, subnets):
    rng = random.Random(NAMES_SEED)
    with open(os.path.join(out, "names.bin"), "wb") as f:
        for qid in range(NAMES_QUERIES):
            msg = query(qid, policy.name_of(rng.randrange(policy.NAMES)), 1, rng.choice(subnets)[0])
            f.write(struct.pack(">H", len(msg)) + msg)


# ---- the static zone and its queries --------------------------------------------------------------------------

def write_zone(path):
    z = policy.ZONE
    lines = [
        "$ORIGIN %s." % z,
        "$TTL 300",
        "@ IN SOA ns1.%s. hostmaster.%s. 2026120401 7200 900 1209600 300" % (z, z),
        "@ IN NS ns1.%s." % z,
        "@ IN NS ns2.%s." % z,
        "@ IN MX 10 mx.%s." % z,
        '@ IN TXT "v=spf1 mx -all"',
        "ns1 IN A 127.0.0.53",
        "ns2 IN A 127.0.0.54",
        "mx IN A 127.0.0.25",
        "web IN A 127.0.0.80",
        "cdn IN CNAME web.%s." % z,
    ]
    for i in range(1, HOSTS + 1):
        lines.append("host%04d IN A 127.2.%d.%d" % (i, i // 256, i % 256))
        lines.append("host%04d IN AAAA fd00:5320::%x" % (i, i))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_static(path):
    rng = random.Random(STATIC_SEED)
    z = policy.ZONE
    out = []
    for _ in range(STATIC_LINES):
        r = rng.random()
        host = "host%04d.%s" % (rng.randint(1, HOSTS), z)
        if r < 0.70:
            out.append(host + " A")
        elif r < 0.80:
            out.append(host + " AAAA")
        elif r < 0.84:
            out.append(z + " MX")
        elif r < 0.87:
            out.append("cdn.%s CNAME" % z)
        elif r < 0.90:
            out.append(z + " TXT")
        else:
            out.append("missing%06d.%s A" % (rng.randrange(1_000_000), z))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ---- driver ---------------------------------------------------------------------------------------------------

def fresh(out, name, params, force):
    """True when NAME was already made with PARAMS (and all its files exist)."""
    stamp = os.path.join(out, name + ".json")
    if force or not os.path.exists(stamp):
        return False
    with open(stamp) as f:
        return json.load(f) == params


def stamp(out, name, params):
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(params, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(DATA, "dnsperf"))
    ap.add_argument("--mmdb", default=os.environ.get("MMDB") or os.path.join(DATA, "GeoLite2-City.mmdb"))
    ap.add_argument("--only", default="static,shared,wide,names")
    ap.add_argument("--force", action="store_true", help="make every file again")
    a = ap.parse_args()
    only = set(a.only.split(","))
    unknown = only - {"static", "shared", "wide", "names"}
    if unknown:
        ap.error("unknown input %s" % ",".join(sorted(unknown)))
    os.makedirs(a.out, exist_ok=True)
    db = None

    def database():
        nonlocal db
        if db is None:
            if not os.path.exists(a.mmdb):
                raise SystemExit("no GeoLite2 City database at %s: run get-geolite.sh" % a.mmdb)
            db = mmdb.Database(a.mmdb)
        return db

    db_id = os.path.getsize(a.mmdb) if os.path.exists(a.mmdb) else None
    if "static" in only:
        params = {"hosts": HOSTS, "lines": STATIC_LINES, "seed": STATIC_SEED, "format": 2}
        if not fresh(a.out, "static", params, a.force):
            write_zone(os.path.join(a.out, "example.test.zone"))
            write_static(os.path.join(a.out, "static.txt"))
            stamp(a.out, "static", params)
            print("static: example.test.zone (%d hosts), static.txt (%d queries)" % (HOSTS, STATIC_LINES))
    if "names" in only:
        only.add("wide")  # its client subnets
    for name in ("shared", "wide"):
        if name not in only:
            continue
        v4, v6, queries, seed = MIXES[name]
        params = {"v4": v4, "v6": v6, "queries": queries, "seed": seed, "mmdb_bytes": db_id, "format": 1}
        if fresh(a.out, name, params, a.force):
            continue
        subnets = write_mix(a.out, name, database(), v4, v6, queries, seed)
        stamp(a.out, name, params)
        counts = {}
        for _, continent, country in subnets:
            key = country if (continent, country) in policy.COUNTRY_REGIONS else continent
            counts[key] = counts.get(key, 0) + 1
        print("%s: %d client subnets (%d /24, %d /56), %d queries; by place %s" % (
            name, len(subnets), sum(1 for s in subnets if s[0][0] == 4), sum(1 for s in subnets if s[0][0] == 6),
            queries, dict(sorted(counts.items()))))
    if "names" in only:
        with open(os.path.join(a.out, "wide.json")) as f:
            wide = json.load(f)
        params = {"names": policy.NAMES, "queries": NAMES_QUERIES, "seed": NAMES_SEED, "wide": wide, "format": 1}
        if not fresh(a.out, "names", params, a.force):
            write_names(a.out, read_subnets(os.path.join(a.out, "wide-subnets.tsv")))
            stamp(a.out, "names", params)
            print("names: %d queries over %d names" % (NAMES_QUERIES, policy.NAMES))
    print("inputs in %s" % a.out)


if __name__ == "__main__":
    main()
