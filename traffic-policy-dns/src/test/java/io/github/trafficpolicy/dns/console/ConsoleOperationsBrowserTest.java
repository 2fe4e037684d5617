package io.github.trafficpolicy.dns.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.dns.Eventually;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's operations screens in a real browser, against a running server whose DNS answers are checked over
 * UDP: a policy version bound to a name from the records screen, several records moved in one step, find-and-replace
 * of an endpoint value across records, a roll back, Try it's answer with the path taken highlighted on the tree, and
 * a client's point chosen on its world map.
 * The server has no geo data here, so every client gets the bundled example's default location (its North America
 * branch) unless Try it is given a location.
 */
final class ConsoleOperationsBrowserTest {
  private static final String SUBNET = "198.51.100.0/24";

  @TempDir
  Path dir;

  /** The bundled example's www policy document (text). */
  private static String exampleDocument() {
    try (InputStream in = ConsoleOperationsBrowserTest.class.getResourceAsStream(
        "/io/github/trafficpolicy/dns/example/www-policy.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until {@code name} answers {@code expected} over DNS (the registry reaches DNS after a poll). */
  private static List<String> awaitAnswer(ConsoleBrowser b, String name, List<String> expected) {
    AtomicReference<List<String>> last = new AtomicReference<>();
    boolean reached = Eventually.until(() -> {
      try {
        last.set(b.answerA(name, SUBNET));
      } catch (IOException e) {
        last.set(List.of("error: " + e.getMessage()));
      }
      return last.get().equals(expected);
    });
    assertThat(last.get()).as("%s answered over DNS", name).isEqualTo(expected);
    assertThat(reached).isTrue();
    return last.get();
  }

  private static void confirm(ConsoleBrowser b) {
    b.waitFor(By.cssSelector("dialog.confirm .confirm-ok")).click();
    new WebDriverWait(b.driver(), ConsoleBrowser.WAIT)
        .until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("dialog.confirm"), 0));
  }

  /** Chooses the version in the move bar, presses {@code button}, checks what the dialog says and confirms. */
  private static void moveTo(ConsoleBrowser b, String version, String button, String... dialogSays) {
    new Select(b.waitFor(By.id("move-version"))).selectByValue(version);
    b.waitFor(By.id(button)).click();
    assertThat(b.waitFor(By.cssSelector("dialog.confirm")).getText()).contains(dialogSays);
    confirm(b);
  }

  private static By row(String name) {
    return By.cssSelector(".records-table tr[data-name='" + name + "']");
  }

  private static void type(WebElement input, String text) {
    input.clear();
    input.sendKeys(text);
  }

  @Test
  void aVersionBoundToANameOnTheRecordsScreenAnswersOverDns() throws IOException, InterruptedException {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      TrafficPolicyRegistry registry = b.registry();
      String id = registry.createPolicy("www", exampleDocument(), Optional.of("the example")).id();
      assertThat(b.answerA("shop.example.com", SUBNET)).as("before the record exists").isEmpty();

      b.signIn().open("#/records");
      b.waitForText(By.cssSelector(".empty-state"), "No policy records yet.");
      b.waitFor(By.id("records-new")).click();
      type(b.waitFor(By.id("create-zone")), "example.com.");
      type(b.waitFor(By.id("create-name")), "shop");
      type(b.waitFor(By.id("create-ttl")), "30");
      new Select(b.waitFor(By.id("create-policy"))).selectByValue(id);
      new Select(b.waitFor(By.id("create-version"))).selectByValue("1");
      b.waitFor(By.id("create-submit")).click();

      b.waitForText(row("shop.example.com."), "v1");
      assertThat(b.driver().findElement(row("shop.example.com.")).getText()).contains("example.com.", "30", "www");
      // The default location's branch: na-1 or na-2, as the weighted rule's hash of the client chooses.
      assertThat(Eventually.until(() -> !answer(b, "shop.example.com").isEmpty())).isTrue();
      assertThat(answer(b, "shop.example.com")).singleElement().isIn("192.0.2.10", "192.0.2.11");
      assertThat(b.dig("+short", "shop.example.com", "A", "+subnet=" + SUBNET).strip())
          .isEqualTo(answer(b, "shop.example.com").get(0));
      assertThat(registry.getRecord("shop.example.com.").record().ttl()).isEqualTo(30);
      assertThat(b.cspViolations()).isEmpty();
    }
  }

  @Test
  void severalRecordsMoveToAVersionInOneStep_theOthersStay_thenAllOfThePolicyMoveBack() throws IOException {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      TrafficPolicyRegistry registry = b.registry();
      String v1 = exampleDocument();
      String id = registry.createPolicy("www", v1, Optional.empty()).id();
      registry.createPolicyVersion(id, v1.replaceAll("192\\.0\\.2\\.1[01]", "192.0.2.50"), Optional.of("one address"));
      for (String n : List.of("a", "b", "c")) {
        registry.createRecord("example.com.", n + ".example.com.", 60, id, 1);
      }

      b.signIn().open("#/records?policyId=" + id);
      b.waitFor(row("c.example.com."));
      b.driver().findElement(By.cssSelector("tr[data-name='a.example.com.'] .record-select")).click();
      b.driver().findElement(By.cssSelector("tr[data-name='b.example.com.'] .record-select")).click();
      moveTo(b, "2", "move-selected", "2 selected records", "v2");

      b.waitForText(row("a.example.com."), "v2");
      b.waitForText(row("b.example.com."), "v2");
      assertThat(b.driver().findElement(row("c.example.com.")).getText()).contains("v1");
      awaitAnswer(b, "a.example.com", List.of("192.0.2.50"));
      awaitAnswer(b, "b.example.com", List.of("192.0.2.50"));
      assertThat(answer(b, "c.example.com")).singleElement().isIn("192.0.2.10", "192.0.2.11");

      // Every record of the policy (the screen is filtered by it) back to version 1 in one step.
      moveTo(b, "1", "move-all", "every record of www", "v1");
      b.waitForText(row("a.example.com."), "v1");
      b.waitForText(row("b.example.com."), "v1");
      assertThat(Eventually.until(() -> List.of("192.0.2.10", "192.0.2.11").containsAll(answer(b, "a.example.com"))
          && !answer(b, "a.example.com").isEmpty())).isTrue();
      assertThat(registry.listRecordsByPolicy(id, 1)).hasSize(3);
    }
  }

  @Test
  void findAndReplaceAnEndpointValueAcrossRecords_thenRollBackOneOfThem() throws IOException {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      TrafficPolicyRegistry registry = b.registry();
      String id = registry.createPolicy("www", exampleDocument(), Optional.empty()).id();
      registry.createRecord("example.com.", "www.example.com.", 60, id, 1);
      registry.createRecord("example.org.", "api.example.org.", 60, id, 1);
      assertThat(Eventually.until(() -> !answer(b, "www.example.com").isEmpty())).isTrue();
      String before = answer(b, "www.example.com").get(0);
      assertThat(before).isIn("192.0.2.10", "192.0.2.11");
      String apiBefore = answer(b, "api.example.org").get(0);

      b.signIn().open("#/find");
      type(b.waitFor(By.id("find-value")), before);
      b.waitFor(By.id("find-search")).click();
      WebElement usages = b.waitFor(By.cssSelector(".usages-table"));
      assertThat(usages.getText()).contains("www.example.com.", "api.example.org.", "/Value");
      assertThat(usages.findElements(By.cssSelector("a.node-link"))).isNotEmpty()
          .allSatisfy(a -> assertThat(a.getAttribute("href")).contains("#/policies/" + id + "/1?node=endpoint%3A"));
      type(b.waitFor(By.id("find-replacement")), "192.0.2.99");
      b.waitFor(By.id("find-apply")).click();
      confirm(b);
      WebElement result = b.waitFor(By.id("replace-result"));
      b.waitForText(By.id("replace-result"), "Records moved");
      assertThat(result.getText()).contains("v2", "www.example.com.", "api.example.org.");

      awaitAnswer(b, "www.example.com", List.of("192.0.2.99"));
      awaitAnswer(b, "api.example.org", List.of(apiBefore.equals(before) ? "192.0.2.99" : apiBefore));
      assertThat(registry.getRecord("api.example.org.").record().policyVersion()).isEqualTo(2);

      b.open("#/records");
      b.waitForText(row("www.example.com."), "v2");
      b.driver().findElement(By.cssSelector("tr[data-name='www.example.com.'] .rollback")).click();
      assertThat(b.waitFor(By.cssSelector("dialog.confirm")).getText()).contains("v2", "v1");
      confirm(b);
      b.waitForText(row("www.example.com."), "v1");
      awaitAnswer(b, "www.example.com", List.of(before));
      assertThat(registry.getRecord("api.example.org.").record().policyVersion()).as("only www rolled back")
          .isEqualTo(2);
    }
  }

  @Test
  void tryItShowsTheAnswerForAClientAndHighlightsThePathTaken() throws IOException {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      // Europe's weighted rule always draws eu-1-first (eu-2-first weighs 0), whose primary has health check hc-eu-1.
      String document = exampleDocument().replace(
          "\"Primary\": {\n        \"EndpointReference\": \"eu-1\"\n      }",
          "\"Primary\": {\n        \"EndpointReference\": \"eu-1\",\n        \"HealthCheck\": \"hc-eu-1\"\n      }")
          .replace("\"RuleReference\": \"eu-2-first\",\n          \"Weight\": \"1\"",
              "\"RuleReference\": \"eu-2-first\",\n          \"Weight\": \"0\"");
      assertThat(document).contains("hc-eu-1", "\"Weight\": \"0\"");
      String id = b.registry().createPolicy("www", document, Optional.empty()).id();

      b.signIn().open("#/try?policyId=" + id + "&version=1");
      b.waitFor(By.cssSelector(".try-tree [data-node='rule:by-continent']"));
      b.driver().findElement(By.cssSelector("button[data-mode='location']")).click();
      new Select(b.waitFor(By.id("try-country"))).selectByValue("FR");
      assertThat(new Select(b.driver().findElement(By.id("try-continent"))).getFirstSelectedOption().getAttribute("value"))
          .isEqualTo("EU");
      // The server's own health (hc-eu-1 unknown, so counted healthy): eu-1.
      b.waitFor(By.id("try-run")).click();
      b.waitForText(By.id("try-values"), "198.51.100.10");
      assertThat(pathNodes(b)).contains("rule:eu-1-first", "endpoint:eu-1").doesNotContain("endpoint:eu-2");

      // hc-eu-1 overridden as unhealthy: the failover's secondary, eu-2.
      b.driver().findElement(By.cssSelector("tr[data-check='hc-eu-1'] button[data-value='UNHEALTHY']")).click();
      b.waitFor(By.id("try-run")).click();
      b.waitForText(By.id("try-values"), "198.51.100.11");
      assertThat(b.driver().findElement(By.id("try-values")).getText()).doesNotContain("198.51.100.10");
      assertThat(b.driver().findElement(By.id("try-rcode")).getText()).isEqualTo("NOERROR");
      assertThat(b.driver().findElement(By.id("try-trace")).getText()).contains("rule:by-continent", "hc-eu-1");
      assertThat(pathNodes(b)).contains("rule:by-continent", "rule:eu-weighted", "rule:eu-1-first", "endpoint:eu-2")
          .doesNotContain("endpoint:eu-1", "rule:na-weighted", "endpoint:na-1");

      // A point on the world map: the middle of the (equirectangular) map is latitude 0, longitude 0.
      b.driver().findElement(By.cssSelector("button[data-mode='point']")).click();
      WebElement map = b.waitFor(By.cssSelector(".pick-map svg.world-map"));
      assertThat(map.findElements(By.cssSelector("path.country[data-code='FR']"))).isNotEmpty();
      assertThat(map.findElements(By.cssSelector("path.country")).size()).isGreaterThan(150);
      new Actions(b.driver()).moveToElement(map).click().perform();
      b.waitFor(By.cssSelector(".pick-map .marker.pin"));
      assertThat(Double.parseDouble(b.driver().findElement(By.id("try-latitude")).getAttribute("value")))
          .isBetween(-3.0, 3.0);
      assertThat(Double.parseDouble(b.driver().findElement(By.id("try-longitude")).getAttribute("value")))
          .isBetween(-3.0, 3.0);
      assertThat(b.cspViolations()).isEmpty();
    }
  }

  /** The node ids drawn highlighted as the path taken on Try it's tree. */
  private static List<String> pathNodes(ConsoleBrowser b) {
    return b.driver().findElements(By.cssSelector(".try-tree .tree-node.path")).stream()
        .map(e -> e.getAttribute("data-node")).distinct().toList();
  }

  private static List<String> answer(ConsoleBrowser b, String name) {
    try {
      return b.answerA(name, SUBNET);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
