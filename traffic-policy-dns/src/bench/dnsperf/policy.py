"""The bench policy, stated once for the data generator, the gdnsd configuration and the answer checks.

www.example.test A (TTL 30): the client (the ECS address, else the source address) is located with GeoLite2 City;
its continent, or for four countries the country, gives an ordered pair of regions; the first region with an
endpoint up answers; inside a region one of two endpoints, weighted 3:1, one address per answer. The Route 53
document for traffic-policy is ../www-example-test.json (it also lists TR, which GeoLite2 puts in Asia: the same
pair as its continent).

The names workload (issue 20): NAMES policy records n000000.scale.test ... over POLICIES policies x VERSIONS
versions of the same document, version v of policy p with its first eu endpoint moved to eu_first(p, v); record i is
on policy i % POLICIES, version (i // POLICIES) % VERSIONS + 1 (the layout ../RegistryScale.java writes).
"""

ZONE = "example.test"
STEERED = "www." + ZONE
STEERED_TTL = 30

ENDPOINTS = {  # region -> [(address, weight)]
    "eu": [("127.1.1.11", 3), ("127.1.1.12", 1)],
    "us": [("127.1.2.11", 3), ("127.1.2.12", 1)],
    "ap": [("127.1.3.11", 3), ("127.1.3.12", 1)],
}
CONTINENT_REGIONS = {
    "EU": ["eu", "us"],
    "AF": ["eu", "us"],
    "NA": ["us", "eu"],
    "SA": ["us", "eu"],
    "AS": ["ap", "eu"],
    "OC": ["ap", "us"],
}
# Countries of Asia answered from Europe first.
COUNTRY_REGIONS = {("AS", c): ["eu", "ap"] for c in ("IL", "AE", "QA", "BH")}
DEFAULT_REGIONS = ["us", "eu"]  # not located (127.0.0.1, a private address), or continent AN


def regions_for(continent, country):
    """The ordered regions for a located client; unknown continents get the default pair."""
    return COUNTRY_REGIONS.get((continent, country)) or CONTINENT_REGIONS.get(continent, DEFAULT_REGIONS)


REGION_OF = {address: region for region, eps in ENDPOINTS.items() for address, _ in eps}

NAMES_ZONE = "scale.test"
NAMES = 100_000
POLICIES = 10
VERSIONS = 10
NAMES_TTL = 60


def name_of(i):
    return "n%06d.%s" % (i, NAMES_ZONE)


def binding_of(i):
    """(policy, version) of record i."""
    return i % POLICIES, (i // POLICIES) % VERSIONS + 1


def eu_first(policy, version):
    """The address that replaces 127.1.1.11 in version `version` of policy `policy`."""
    return "127.1.1.%d" % (100 + policy * 10 + version)


def endpoints_for(policy, version):
    """ENDPOINTS of one version of the names workload."""
    out = {r: list(eps) for r, eps in ENDPOINTS.items()}
    out["eu"] = [(eu_first(policy, version), 3), ENDPOINTS["eu"][1]]
    return out
