#!/usr/bin/env python3
"""Writes a gdnsd 3 configuration of the bench policy (policy.py) into a server directory.

  gdnsd_conf.py --dir DIR --port PORT --threads N --mmdb GeoLite2-City.mmdb --data DATA [--variant example|names]
                [--run-dir RUN_DIR]   (default DIR/run; gdnsd's control socket path there must stay under 108 bytes)

example: zone example.test (DATA/example.test.zone) plus `www 30 DYNA geoip!www`.
names:   zone scale.test with the 100,000 names of the names workload, each `DYNA geoip!vP_V` of its binding: one
         geoip resource per policy version (100), each mapping the regions to weighted resources, the eu one
         carrying that version's first address, as traffic-policy compiles one program per version.

Either way: the geoip plugin locates the client (ECS on) with GeoLite2 City and maps continent, then country, to an
ordered list of datacenters (regions); each datacenter is a weighted resource of two addresses 3:1 answering one
address (`multi => false`), its state the static service type `up` (DIR/state/admin_state can force an address
DOWN, which moves the clients to their next datacenter).
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import policy  # noqa: E402


def weighted(name, endpoints):
    items = ", ".join("%s-%s => [ %s, %d ]" % (name, chr(ord("a") + i), address, weight)
                      for i, (address, weight) in enumerate(endpoints))
    return "    %s => { %s }" % (name, items)


def geo_map():
    lines = ["        default => [ %s ]" % ", ".join(policy.DEFAULT_REGIONS)]
    for continent, regions in policy.CONTINENT_REGIONS.items():
        countries = {k: v for (c, k), v in policy.COUNTRY_REGIONS.items() if c == continent}
        if not countries:
            lines.append("        %s => [ %s ]" % (continent, ", ".join(regions)))
            continue
        lines.append("        %s => {" % continent)
        lines.append("          default => [ %s ]" % ", ".join(regions))
        for country, r in countries.items():
            lines.append("          %s => [ %s ]" % (country, ", ".join(r)))
        lines.append("        }")
    return "\n".join(lines)


def resource(name, dcmap):
    body = "\n".join("          %s => %%weighted!%s" % (dc, target) for dc, target in dcmap.items())
    return "      %s => {\n        map => steer\n        dcmap => {\n%s\n        }\n      }" % (name, body)


def config(port, threads, mmdb, srvdir, run_dir, variant):
    pools = [weighted("www_" + r, eps) for r, eps in policy.ENDPOINTS.items()]
    resources = []
    if variant == "example":
        resources.append(resource("www", {r: "www_" + r for r in policy.ENDPOINTS}))
    else:
        for p in range(policy.POLICIES):
            for v in range(1, policy.VERSIONS + 1):
                eu = "eu_%d_%d" % (p, v)
                pools.append(weighted(eu, policy.endpoints_for(p, v)["eu"]))
                resources.append(resource("v%d_%d" % (p, v), {"eu": eu, "us": "www_us", "ap": "www_ap"}))
    return """# gdnsd configuration of the bench policy, written by gdnsd_conf.py (variant %(variant)s)
options => {
  listen => { 127.0.0.1:%(port)d => { udp_threads => %(threads)d, tcp_threads => 1 } }
  run_dir => %(run)s
  state_dir => %(dir)s/state
  edns_client_subnet => true
  zones_rfc1035_threads => 1
}
plugins => {
  weighted => {
    service_types => up
    multi => false
%(pools)s
  }
  geoip => {
    maps => {
      steer => {
        geoip2_db => %(mmdb)s
        datacenters => [ %(dcs)s ]
        map => {
%(map)s
        }
      }
    }
    resources => {
%(resources)s
    }
  }
}
""" % {"variant": variant, "run": run_dir, "port": port, "threads": threads, "dir": srvdir, "mmdb": mmdb,
       "pools": "\n".join(pools), "dcs": ", ".join(policy.ENDPOINTS), "map": geo_map(),
       "resources": "\n".join(resources)}


def names_zone(path):
    z = policy.NAMES_ZONE
    with open(path, "w") as f:
        f.write("$ORIGIN %s.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 900 1209600 60\n@ NS ns1\nns1 A 127.0.0.53\n" % z)
        for i in range(policy.NAMES):
            p, v = policy.binding_of(i)
            f.write("%s %d DYNA geoip!v%d_%d\n" % (policy.name_of(i).split(".")[0], policy.NAMES_TTL, p, v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mmdb", required=True)
    ap.add_argument("--data", required=True, help="the directory make_data.py wrote")
    ap.add_argument("--variant", choices=["example", "names"], default="example")
    ap.add_argument("--run-dir", help="gdnsd's run directory (default DIR/run)")
    a = ap.parse_args()
    srvdir = os.path.abspath(a.dir)
    for sub in ("zones", "run", "state"):
        os.makedirs(os.path.join(srvdir, sub), exist_ok=True)
    with open(os.path.join(srvdir, "config"), "w") as f:
        f.write(config(a.port, a.threads, os.path.abspath(a.mmdb), srvdir,
                       os.path.abspath(a.run_dir or os.path.join(srvdir, "run")), a.variant))
    if a.variant == "example":
        zone = os.path.join(srvdir, "zones", policy.ZONE)
        shutil.copyfile(os.path.join(a.data, "example.test.zone"), zone)
        with open(zone, "a") as f:
            f.write("www %d DYNA geoip!www\n" % policy.STEERED_TTL)
    else:
        names_zone(os.path.join(srvdir, "zones", policy.NAMES_ZONE))


if __name__ == "__main__":
    main()
