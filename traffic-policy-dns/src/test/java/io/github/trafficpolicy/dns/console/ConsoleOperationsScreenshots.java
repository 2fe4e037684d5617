package io.github.trafficpolicy.dns.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.support.ui.Select;

/**
 * The screenshots of the operations screens in {@code traffic-policy-dns/docs/console} (records, find, try, health,
 * map), taken from a running server with example data. Run on demand, from the module directory:
 * {@code ../mvnw -B -o -q verify -Dtest=ConsoleOperationsScreenshots -Dconsole.screenshots=docs/console
 * -Dsurefire.failIfNoSpecifiedTests=false} (from the root: {@code -pl traffic-policy-dns -am}).
 */
@EnabledIfSystemProperty(named = "console.screenshots", matches = ".+")
final class ConsoleOperationsScreenshots {
  /** A geoproximity policy: four sites, two of them biased. */
  private static final String NEAREST = """
      {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "nearest",
       "Endpoints": {"us-east": {"Type": "value", "Value": "192.0.2.10"},
                     "eu-west": {"Type": "value", "Value": "198.51.100.10"},
                     "tokyo": {"Type": "value", "Value": "203.0.113.10"},
                     "sao-paulo": {"Type": "value", "Value": "192.0.2.40"}},
       "Rules": {"nearest": {"RuleType": "geoproximity", "GeoproximityLocations": [
         {"EndpointReference": "us-east", "Region": "aws:route53:us-east-1", "Bias": "20"},
         {"EndpointReference": "eu-west", "Region": "aws:route53:eu-west-1", "HealthCheck": "hc-eu-1"},
         {"EndpointReference": "tokyo", "Latitude": "35.68", "Longitude": "139.69", "Bias": "-30"},
         {"EndpointReference": "sao-paulo", "Latitude": "-23.55", "Longitude": "-46.63", "Bias": "10"}]}}}
      """;

  @TempDir
  Path dir;

  private static String example() throws IOException {
    try (InputStream in = ConsoleOperationsScreenshots.class.getResourceAsStream(
        "/io/github/trafficpolicy/dns/example/www-policy.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String withHealthCheck(String document, String endpoint, String check) {
    String entry = "\"Primary\": {\n        \"EndpointReference\": \"" + endpoint + "\"\n      }";
    assertThat(document).contains(entry);
    return document.replace(entry, "\"Primary\": {\n        \"EndpointReference\": \"" + endpoint
        + "\",\n        \"HealthCheck\": \"" + check + "\"\n      }");
  }

  @Test
  void operationsScreens() throws IOException {
    Path out = Path.of(System.getProperty("console.screenshots"));
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      TrafficPolicyRegistry registry = b.registry();
      String www = registry.createPolicy("www", example(), Optional.of("the bundled example")).id();
      // hc-oc-1 is named by the document but has no status anywhere: shown as unknown.
      String checked = withHealthCheck(withHealthCheck(withHealthCheck(example(), "na-1", "hc-na-1"), "eu-1", "hc-eu-1"),
          "oc-1", "hc-oc-1");
      registry.createPolicyVersion(www, checked, Optional.of("health checks on the primaries"));
      String nearest = registry.createPolicy("nearest site", NEAREST, Optional.of("four sites")).id();
      registry.createRecord("example.com.", "www.example.com.", 60, www, 1);
      registry.updateRecord("www.example.com.", Optional.of(2), OptionalLong.empty());
      registry.createRecord("example.com.", "api.example.com.", 30, www, 2);
      registry.createRecord("example.org.", "shop.example.org.", 300, www, 1);
      registry.createRecord("example.com.", "near.example.com.", 60, nearest, 1);
      b.server().health().setCheck("hc-eu-1", HealthStatus.UNHEALTHY);
      b.server().health().setCheck("hc-na-1", HealthStatus.HEALTHY);
      b.driver().manage().window().setSize(new Dimension(1400, 1000));
      b.signIn();

      b.open("#/records");
      b.waitFor(By.cssSelector("tr[data-name='www.example.com.'] .history-toggle")).click();
      b.waitFor(By.cssSelector("ol.history"));
      b.screenshot(out.resolve("records.png"));

      b.open("#/find?value=192.0.2.10");
      b.waitFor(By.id("find-replacement")).sendKeys("192.0.2.12");
      b.driver().findElement(By.id("find-comment")).sendKeys("na-1 moves to 192.0.2.12");
      b.screenshot(out.resolve("find.png"));

      b.open("#/try?policyId=" + www + "&version=2");
      b.waitFor(By.cssSelector(".try-tree [data-node='rule:by-continent']"));
      b.driver().findElement(By.cssSelector("button[data-mode='location']")).click();
      new Select(b.waitFor(By.id("try-country"))).selectByValue("FR");
      b.driver().findElement(By.cssSelector("tr[data-check='hc-eu-1'] button[data-value='UNHEALTHY']")).click();
      b.driver().findElement(By.id("try-run")).click();
      b.waitForText(By.id("try-values"), "198.51.100.11");
      b.screenshot(out.resolve("try.png"));

      b.open("#/health");
      b.waitFor(By.cssSelector("tr[data-check='hc-eu-1']"));
      b.screenshot(out.resolve("health.png"));

      b.open("#/map?policyId=" + nearest + "&version=1");
      b.waitFor(By.cssSelector("svg.world-map rect.reach"));
      b.screenshot(out.resolve("map-geoproximity.png"));

      b.open("#/map?policyId=" + www + "&version=2");
      b.waitFor(By.cssSelector("svg.world-map path.country"));
      b.waitForText(By.cssSelector(".map-legend"), "Endpoints");
      b.screenshot(out.resolve("map.png"));
      assertThat(b.cspViolations()).isEmpty();
    }
  }
}
