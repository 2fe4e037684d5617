#!/usr/bin/perl
# Writes the small MaxMind DB files that MaxMindGeoLocatorTest reads, using only the documentation address
# ranges (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849: 2001:db8::/32).
#
#   city.mmdb          GeoIP2-City shaped, IPv6 tree with IPv4 aliased (::/96, ::ffff:0:0/96, 2002::/16)
#   country.mmdb       GeoIP2-Country shaped, IPv6 tree with IPv4 aliased
#   city-ipv4-only.mmdb GeoIP2-City shaped, IPv4 tree (IPv6 lookups cannot match)
#   asn.mmdb           GeoLite2-ASN shaped (a database type the locator must refuse)
#
# Usage (from this folder): perl make-test-mmdb.pl
# Needs Debian's libmaxmind-db-writer-perl. The generated files are committed; tests never run this script.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my %continent_names = (
    AF => 'Africa', AN => 'Antarctica', AS => 'Asia', EU => 'Europe',
    NA => 'North America', OC => 'Oceania', SA => 'South America',
);

# network, continent, country, [subdivision iso codes, largest first], latitude, longitude (undef = absent)
my @city = (
    [ '192.0.2.0/24',         'NA', 'US', ['WA'],         47.6062, -122.3321 ],   # Seattle
    [ '198.51.100.0/25',      'EU', 'DE', ['BE'],         52.5200,   13.4050 ],   # Berlin
    [ '198.51.100.128/25',    'EU', 'GB', ['ENG', 'LND'], 51.5074,   -0.1278 ],   # London, two levels
    [ '203.0.113.0/26',       'AS', 'JP', [],             35.6762,  139.6503 ],   # Tokyo, no subdivision
    [ '203.0.113.64/26',      'OC', undef, [],            undef,    undef    ],   # continent only
    # 203.0.113.128/25 is left out: an unknown gap
    [ '2001:db8::/33',        'NA', 'US', ['NY'],         40.7128,  -74.0060 ],   # New York
    [ '2001:db8:8000::/34',   'SA', 'BR', ['SP'],        -23.5505,  -46.6333 ],   # São Paulo
    # 2001:db8:c000::/34 is left out: an unknown gap
);

my @country = (
    [ '192.0.2.0/24',    'NA', 'US' ],
    [ '198.51.100.0/24', 'EU', 'DE' ],
    [ '2001:db8::/32',   'AS', 'JP' ],
);

my %types = (
    city => 'map', continent => 'map', country => 'map', registered_country => 'map', location => 'map',
    names => 'map', subdivisions => [ 'array', 'map' ], traits => 'map',
    code => 'utf8_string', iso_code => 'utf8_string', en => 'utf8_string',
    geoname_id => 'uint32', latitude => 'double', longitude => 'double', accuracy_radius => 'uint16',
    time_zone => 'utf8_string',
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
);

sub tree {
    my ($type, $ip_version, $record_size) = @_;
    return MaxMind::DB::Writer::Tree->new(
        ip_version               => $ip_version,
        record_size              => $record_size // 24,
        database_type            => $type,
        languages                => ['en'],
        description              => { en => "traffic-policy test database ($type)" },
        map_key_type_callback    => sub { $types{ $_[0] } },
        alias_ipv6_to_ipv4       => $ip_version == 6 ? 1 : 0,
        remove_reserved_networks => 0,
    );
}

sub write_tree {
    my ($tree, $file, $count) = @_;
    open my $fh, '>:raw', $file or die "$file: $!\n";
    $tree->write_tree($fh);
    close $fh or die "$file: $!\n";
    printf "wrote %s (%d networks)\n", $file, $count;
}

sub continent_record {
    my ($code) = @_;
    return { code => $code, names => { en => $continent_names{$code} } };
}

sub city_record {
    my ($c, $cc, $subs, $lat, $lon) = @_;
    my %r = (continent => continent_record($c));
    if (defined $cc) {
        $r{country}            = { iso_code => $cc, names => { en => $cc } };
        $r{registered_country} = { iso_code => $cc, names => { en => $cc } };
    }
    $r{subdivisions} = [ map { { iso_code => $_, names => { en => $_ } } } @$subs ] if @$subs;
    $r{location} = { latitude => $lat + 0.0, longitude => $lon + 0.0, accuracy_radius => 20 } if defined $lat;
    $r{city} = { names => { en => 'Test City' } } if defined $lat;
    return \%r;
}

# The same city data with 28- and 32-bit records (the locator walks the search tree itself).
for my $variant ([ 'city.mmdb', 6, 24 ], [ 'city-ipv4-only.mmdb', 4, 24 ], [ 'city-record28.mmdb', 6, 28 ],
                 [ 'city-record32.mmdb', 6, 32 ]) {
    my ($file, $ipv, $record_size) = @$variant;
    my $tree = tree('GeoIP2-City', $ipv, $record_size);
    my $n = 0;
    for my $row (@city) {
        my ($net, @rest) = @$row;
        next if $ipv == 4 && $net =~ /:/;
        $tree->insert_network($net, city_record(@rest));
        $n++;
    }
    write_tree($tree, $file, $n);
}

{
    my $tree = tree('GeoIP2-Country', 6);
    for my $row (@country) {
        my ($net, $c, $cc) = @$row;
        $tree->insert_network($net, {
            continent          => continent_record($c),
            country            => { iso_code => $cc, names => { en => $cc } },
            registered_country => { iso_code => $cc, names => { en => $cc } },
        });
    }
    write_tree($tree, 'country.mmdb', scalar @country);
}

{
    my $tree = tree('GeoLite2-ASN', 6);
    $tree->insert_network('192.0.2.0/24',
        { autonomous_system_number => 64496, autonomous_system_organization => 'Documentation AS' });
    write_tree($tree, 'asn.mmdb', 1);
}
