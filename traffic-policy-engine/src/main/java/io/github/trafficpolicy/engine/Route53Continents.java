package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkState;

import org.jspecify.annotations.Nullable;

/**
 * Route 53's continent membership of countries (from the Route 53 developer guide as of 2022-11; see
 * traffic-policy-engine/SEMANTICS.md, "Geolocation"). Geolocation rules match continents by this table, so a
 * client's continent follows Route 53's placement of its country (for example {@code TR}, {@code RU} and {@code CY} in Europe, {@code AM}, {@code AZ} and
 * {@code GE} in Asia, {@code TL} in Oceania) whatever continent a GeoIP database reports.
 */
final class Route53Continents {
  /**
   * The continent of each country, indexed by its two letters ({@code (first - 'A') * 26 + (second - 'A')}); null
   * for a code Route 53 does not place. An array rather than a map: this is read once per query that resolves a
   * location, and an index needs no hashing or key comparison.
   */
  private static final String[] BY_COUNTRY = load();

  private Route53Continents() {}

  /** The continent to match for {@code location}: Route 53's for its country, else the location's own. */
  static String continentOf(ClientLocation location) {
    if (location.country().isPresent()) {
      String c = placed(location.country().get());
      if (c != null) {
        return c;
      }
    }
    return location.continent().orElse("");
  }

  /** Route 53's continent for the country {@code code} (two upper-case letters), or null if it places none. */
  static @Nullable String placed(String code) {
    if (code.length() != 2) {
      return null;
    }
    int a = code.charAt(0) - 'A';
    int b = code.charAt(1) - 'A';
    return a >= 0 && a < 26 && b >= 0 && b < 26 ? BY_COUNTRY[a * 26 + b] : null;
  }

  private static String[] load() {
    String[][] table = {
        {"AF", "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ"
            + " NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW"},
        {"AN", "AQ GS TF"},
        {"AS", "AE AF AM AZ BD BH BN BT CC CN GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY"
            + " NP OM PH PK PS QA SA SG SY TH TJ TM TW UZ VN YE"},
        {"EU", "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC"
            + " MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TR UA VA XK"},
        {"NA", "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV"
            + " SX TC TT US VC VG VI"},
        {"OC", "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TL TO TV UM VU WF WS"},
        {"SA", "AR BO BR CL CO EC FK GF GY PE PY SR UY VE"}};
    String[] byCountry = new String[26 * 26];
    for (String[] row : table) {
      for (String country : row[1].split(" ", -1)) {
        int i = (country.charAt(0) - 'A') * 26 + (country.charAt(1) - 'A');
        checkState(byCountry[i] == null, "%s is in two continents", country);
        byCountry[i] = row[0];
      }
    }
    return byCountry;
  }
}
