package io.github.trafficpolicy.dns.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.engine.lifecycle.PolicyVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementClickInterceptedException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's editor, policy and compare screens in a real browser (headless Chromium): a policy built from
 * nothing by clicking and saved, a problem shown on the node its JSON pointer names, the Delete key, two versions
 * compared with their marks, and HTML in names and values shown as text. Screenshots of each screen go to
 * {@code target/console-screenshots/} (copied to {@code docs/console/} by hand when the screens change).
 */
class EditorBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final String XSS_RULE = "<img src=x onerror=alert(1)>";
  private static final String XSS_VALUE = "<img src=x onerror=alert(2)>";

  @TempDir Path dir;

  @Test
  void aFailoverToGeolocationPolicyBuiltByClickingIsSavedAsAValidRoute53Document() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      b.signIn().open("#/editor");
      click(b, By.id("start-failover"));
      clickNode(b, "rule:failover-1/Primary");
      new Select(b.waitFor(By.id("connect-new-rule-type"))).selectByValue("geo");
      click(b, By.id("connect-new-rule"));
      clickNode(b, "rule:geo-1/Locations/0");
      click(b, By.id("connect-new-endpoint"));
      b.waitFor(By.id("prop-endpoint-value")).sendKeys("192.0.2.1");
      clickHead(b, "rule:geo-1");
      click(b, By.id("add-entry"));
      new Select(b.waitFor(By.id("prop-country"))).selectByValue("FR");
      click(b, By.id("connect-new-endpoint"));
      b.waitFor(By.id("prop-endpoint-value")).sendKeys("198.51.100.2");
      clickNode(b, "rule:failover-1/Secondary");
      click(b, By.id("connect-new-endpoint"));
      b.waitFor(By.id("prop-endpoint-value")).sendKeys("203.0.113.3");
      b.waitForText(By.id("validation-status"), "Valid");
      b.driver().findElement(By.id("policy-name")).sendKeys("clicked");
      b.driver().findElement(By.id("version-comment")).sendKeys("built by clicking");
      click(b, By.id("save-version"));
      new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(ExpectedConditions.urlContains("#/policies/"));

      PolicyVersion saved = b.registry().listPolicies().stream().filter(p -> p.name().equals("clicked"))
          .findFirst().orElseThrow();
      assertThat(saved.version()).isEqualTo(1);
      assertThat(saved.comment()).contains("built by clicking");
      JsonNode doc = JSON.readTree(saved.documentText());
      assertThat(doc.path("AWSPolicyFormatVersion").asText()).isEqualTo("2015-10-01");
      assertThat(doc.path("RecordType").asText()).isEqualTo("A");
      assertThat(doc.path("StartRule").asText()).isEqualTo("failover-1");
      JsonNode failover = doc.path("Rules").path("failover-1");
      assertThat(failover.path("RuleType").asText()).isEqualTo("failover");
      assertThat(failover.path("Primary").path("RuleReference").asText()).isEqualTo("geo-1");
      JsonNode geo = doc.path("Rules").path("geo-1");
      assertThat(geo.path("RuleType").asText()).isEqualTo("geo");
      assertThat(geo.path("Locations").get(0).path("IsDefault").asBoolean()).isTrue();
      assertThat(geo.path("Locations").get(1).path("Country").asText()).isEqualTo("FR");
      JsonNode endpoints = doc.path("Endpoints");
      assertThat(value(endpoints, geo.path("Locations").get(0).path("EndpointReference").asText()))
          .isEqualTo("192.0.2.1");
      assertThat(value(endpoints, geo.path("Locations").get(1).path("EndpointReference").asText()))
          .isEqualTo("198.51.100.2");
      assertThat(value(endpoints, failover.path("Secondary").path("EndpointReference").asText()))
          .isEqualTo("203.0.113.3");
      // The saved version's page draws the tree it was built as.
      b.waitFor(By.cssSelector("[data-head='rule:geo-1']"));
      assertThat(b.cspViolations()).isEmpty();
    }
  }

  @Test
  void anEmptyEndpointValueIsShownOnThatEndpointAndInTheListWhichSelectsIt() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      PolicyVersion www = b.registry().createPolicy("www", resource("/io/github/trafficpolicy/dns/example/www-policy.json"),
          Optional.of("the example"));
      b.signIn().open("#/editor/" + www.id() + "/1");
      b.waitForText(By.id("validation-status"), "Valid");
      clickNode(b, "endpoint:oc-2");
      WebElement value = b.waitFor(By.id("prop-endpoint-value"));
      value.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);

      WebElement note = b.waitFor(By.cssSelector("[data-note-for='endpoint:oc-2']"));
      assertThat(note.getText()).containsIgnoringCase("empty");
      assertThat(b.driver().findElement(By.cssSelector("g.tree-node[data-node='endpoint:oc-2']")).getAttribute("class"))
          .contains("problem");
      assertThat(b.driver().findElements(By.cssSelector("[data-note-for]"))).hasSize(1);
      WebElement listed = b.waitFor(By.cssSelector("#problem-list li[data-node='endpoint:oc-2']"));
      assertThat(listed.getText()).contains("/Endpoints/oc-2/Value");
      assertThat(b.driver().findElement(By.id("node-problems")).getText()).containsIgnoringCase("empty");

      b.driver().findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
      waitForSelected(b, "");
      click(b, By.cssSelector("#problem-list li[data-node='endpoint:oc-2']"));
      waitForSelected(b, "endpoint:oc-2");
      b.screenshot(SHOTS.resolve("editor-problem.png"));

      // Two entries for the same continent: the problem is on an entry of that rule.
      clickNode(b, "rule:by-continent/Locations/1");
      new Select(b.waitFor(By.id("prop-continent"))).selectByValue("NA");
      WebElement duplicate = b.waitFor(By.cssSelector(
          "[data-note-for='rule:by-continent/Locations/0'], [data-note-for='rule:by-continent/Locations/1']"));
      assertThat(duplicate.getText()).isNotBlank();
    }
  }

  @Test
  void leavingTheEditorWithUnsavedChangesAsksFirst_cancelStaysWithTheChanges_confirmLeaves() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      PolicyVersion www = b.registry().createPolicy("www", resource("/io/github/trafficpolicy/dns/example/www-policy.json"),
          Optional.empty());
      String editor = "#/editor/" + www.id() + "/1";
      b.signIn().open(editor);
      b.waitForText(By.id("validation-status"), "Valid");

      // Not changed yet: the nav leaves at once.
      click(b, By.cssSelector("#nav a[data-route='records']"));
      new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(d -> hash(d).startsWith("#/records")
          && d.findElements(By.id("json-text")).isEmpty());

      b.open(editor);
      b.waitForText(By.id("validation-status"), "Valid");
      clickNode(b, "endpoint:oc-2");
      WebElement value = b.waitFor(By.id("prop-endpoint-value"));
      value.sendKeys(Keys.chord(Keys.CONTROL, "a"), "192.0.2.77");
      new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(d -> d.findElement(By.id("json-text"))
          .getAttribute("value").contains("192.0.2.77"));

      // Changed: the nav asks; Cancel keeps the editor, its hash and the change.
      click(b, By.cssSelector("#nav a[data-route='records']"));
      WebElement dialog = b.waitFor(By.cssSelector("dialog[open]"));
      assertThat(dialog.getText()).contains("Leave the editor?").contains("not saved");
      click(b, By.cssSelector("dialog[open] .cancel"));
      new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(d -> d.findElements(By.cssSelector("dialog[open]"))
          .isEmpty() && hash(d).equals(editor));
      assertThat(b.driver().findElement(By.id("json-text")).getAttribute("value")).contains("192.0.2.77");

      // The back button asks too; confirming leaves.
      b.driver().navigate().back();
      b.waitFor(By.cssSelector("dialog[open]"));
      assertThat(hash(b.driver())).isEqualTo(editor);
      click(b, By.cssSelector("dialog[open] .confirm-ok"));
      new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(d -> !hash(d).equals(editor)
          && d.findElements(By.id("json-text")).isEmpty());
    }
  }

  private static String hash(WebDriver d) {
    return String.valueOf(((JavascriptExecutor) d).executeScript("return location.hash;"));
  }

  @Test
  void theDeleteKeyDeletesTheSelectedBranchAfterConfirmingAndUndoBringsItBack() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      PolicyVersion www = b.registry().createPolicy("www", resource("/io/github/trafficpolicy/dns/example/www-policy.json"),
          Optional.empty());
      b.signIn().open("#/editor/" + www.id() + "/1");
      b.waitForText(By.id("validation-status"), "Valid");
      clickHead(b, "rule:oc-weighted");
      b.driver().findElement(By.tagName("body")).sendKeys(Keys.DELETE);
      click(b, By.cssSelector("dialog[open] .confirm-ok"));

      new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(d -> d.findElements(
          By.cssSelector("[data-node='rule:oc-weighted'], [data-node='rule:oc-1-first'], [data-node='endpoint:oc-1']"))
          .isEmpty());
      String json = b.driver().findElement(By.id("json-text")).getAttribute("value");
      assertThat(json).doesNotContain("oc-weighted").doesNotContain("\"oc-1\"").doesNotContain("oc-2-first");
      assertThat(json).contains("eu-weighted");

      click(b, By.id("undo"));
      b.waitFor(By.cssSelector("[data-head='rule:oc-weighted']"));
      assertThat(b.driver().findElement(By.id("json-text")).getAttribute("value")).contains("oc-weighted");

      // The JSON beside the drawing drives it too: text that does not parse is reported and changes nothing,
      // a document that parses is drawn.
      WebElement text = b.driver().findElement(By.id("json-text"));
      text.sendKeys(Keys.chord(Keys.CONTROL, Keys.END), "oops");
      b.waitForText(By.id("json-error"), "Not JSON");
      assertThat(b.driver().findElements(By.cssSelector("[data-head='rule:oc-weighted']"))).hasSize(1);
      text.sendKeys(Keys.BACK_SPACE, Keys.BACK_SPACE, Keys.BACK_SPACE, Keys.BACK_SPACE);
      ((JavascriptExecutor) b.driver()).executeScript(
          "const t = document.getElementById('json-text');"
          + "t.setSelectionRange(t.value.indexOf('192.0.2.30'), t.value.indexOf('192.0.2.30') + 10);");
      text.sendKeys("192.0.2.99");
      new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(d -> d.findElement(
          By.cssSelector("g.tree-node[data-node='endpoint:oc-1']")).getText().contains("192.0.2.99"));
      assertThat(b.driver().findElement(By.id("json-error")).getText()).isEmpty();
    }
  }

  @Test
  void twoVersionsComparedSideBySideMarkWhatWasAddedAndChanged() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      String v1 = resource("/io/github/trafficpolicy/dns/example/www-policy.json");
      PolicyVersion www = b.registry().createPolicy("www", v1, Optional.of("the example"));
      ObjectNode v2 = (ObjectNode) JSON.readTree(v1);
      ((ObjectNode) v2.path("Endpoints")).putObject("eu-3").put("Type", "value").put("Value", "198.51.100.12");
      ((ArrayNode) v2.path("Rules").path("eu-weighted").path("Items")).addObject()
          .put("EndpointReference", "eu-3").put("Weight", "1");
      ((ObjectNode) v2.path("Endpoints").path("oc-2")).put("Value", "192.0.2.32");
      b.registry().createPolicyVersion(www.id(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(v2),
          Optional.of("a spare EU server; OC's second server moved"));

      b.registry().createPolicy("large", resource("/console/large-400-rules.json"), Optional.of("400 rules"));
      b.registry().createRecord("example.com", "www.example.com", 60, www.id(), 2);
      b.registry().createRecord("example.org", "www.example.org", 60, www.id(), 1);

      b.signIn().open("#/policies");
      WebElement latest = b.waitFor(By.cssSelector("#policy-list tbody[data-policy='" + www.id() + "'] tr[data-version='2']"));
      assertThat(latest.getText()).contains("a spare EU server");
      assertThat(latest.findElement(By.cssSelector("td.num")).getText()).isEqualTo("1");
      b.screenshot(SHOTS.resolve("policies.png"));
      b.open("#/compare/" + www.id() + "?from=1&to=2");

      WebElement added = new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(ExpectedConditions
          .presenceOfElementLocated(By.cssSelector("#compare-right g.tree-node[data-node='endpoint:eu-3']")));
      assertThat(added.getAttribute("class")).contains("added");
      assertThat(b.driver().findElements(By.cssSelector("#compare-left [data-node='endpoint:eu-3']"))).isEmpty();
      assertThat(b.driver().findElement(By.cssSelector("#compare-left g.tree-node[data-node='endpoint:oc-2']"))
          .getAttribute("class")).contains("changed");
      assertThat(b.driver().findElement(By.cssSelector("#compare-right g.tree-node[data-node='endpoint:oc-2']"))
          .getAttribute("class")).contains("changed");
      assertThat(b.driver().findElement(By.cssSelector("#compare-left g.tree-node[data-node='endpoint:eu-1']"))
          .getAttribute("class")).doesNotContain("changed").doesNotContain("added").doesNotContain("removed");
      String changes = b.waitFor(By.id("change-list")).getText();
      assertThat(changes).contains("/Endpoints/eu-3").contains("/Endpoints/oc-2/Value").contains("192.0.2.32")
          .contains("/Rules/eu-weighted/Items/2");
      assertThat(b.driver().findElement(By.cssSelector("#compare-right g.entry[data-node='rule:eu-weighted/Items/2']"))
          .getAttribute("class")).contains("added");
      b.screenshot(SHOTS.resolve("compare.png"));
    }
  }

  @Test
  void htmlInARuleIdAnEndpointValueAndAPolicyNameIsShownAsTextAndRunsNoScript() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      ObjectNode document = JSON.createObjectNode().put("AWSPolicyFormatVersion", "2015-10-01")
          .put("RecordType", "TXT").put("StartRule", XSS_RULE);
      document.putObject("Endpoints").putObject("x").put("Type", "value").put("Value", XSS_VALUE);
      document.putObject("Rules").putObject(XSS_RULE).put("RuleType", "weighted").putArray("Items").addObject()
          .put("EndpointReference", "x").put("Weight", "1");
      String doc = JSON.writeValueAsString(document);
      PolicyVersion v = b.registry().createPolicy("<script>alert(3)</script>", doc, Optional.of(XSS_VALUE));

      b.signIn().open("#/policies");
      b.waitForText(By.id("policy-list"), "<script>alert(3)</script>");
      assertThat(b.driver().findElement(By.id("policy-list")).getText()).contains(XSS_VALUE);
      b.open("#/policies/" + v.id() + "/1");
      WebElement head = b.waitFor(By.cssSelector("[data-head]"));
      assertThat(head.getAttribute("data-head")).isEqualTo("rule:" + XSS_RULE);
      assertThat(head.getText()).contains(XSS_RULE);
      assertThat(b.driver().findElement(By.cssSelector("g.tree-node.endpoint")).getText()).contains(XSS_VALUE);
      b.open("#/editor/" + v.id() + "/1");
      clickHead(b, "rule:" + XSS_RULE);
      assertThat(b.waitFor(By.id("prop-rule-id")).getAttribute("value")).isEqualTo(XSS_RULE);
      assertThat(b.driver().findElement(By.id("json-text")).getAttribute("value")).contains(XSS_VALUE);

      assertThat(b.driver().findElements(By.cssSelector("#view img, #view script"))).isEmpty();
      WebDriver.TargetLocator to = b.driver().switchTo();
      assertThatThrownBy(to::alert).isInstanceOf(NoAlertPresentException.class);
      assertThat(b.cspViolations()).isEmpty();
    }
  }

  @Test
  void aVersionOfFourHundredRulesOpensCollapsedAndFindsANodeByItsValue() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      PolicyVersion www = b.registry().createPolicy("www", resource("/io/github/trafficpolicy/dns/example/www-policy.json"),
          Optional.of("the example"));
      PolicyVersion large = b.registry().createPolicy("large", resource("/console/large-400-rules.json"),
          Optional.of("133 countries, each a latency rule over two failover rules"));
      b.signIn().open("#/policies/" + www.id() + "/1");
      b.waitFor(By.cssSelector("[data-head='rule:by-continent']"));
      b.screenshot(SHOTS.resolve("policy-www.png"));

      b.open("#/policies/" + large.id() + "/1");
      b.waitFor(By.cssSelector("[data-head='rule:geo-root']"));
      // Collapsed below the first level: 133 latency rules drawn, none of their 266 failover rules.
      assertThat(b.driver().findElements(By.cssSelector("[data-expand]"))).hasSize(133);
      assertThat(b.driver().findElements(By.cssSelector("[data-head^='rule:f']"))).isEmpty();
      b.screenshot(SHOTS.resolve("policy-large.png"));

      WebElement search = b.driver().findElement(By.cssSelector("[data-test='tree-search']"));
      search.sendKeys("203.0.60.40", Keys.ENTER);
      waitForSelected(b, "endpoint:freub");
      WebElement found = b.waitFor(By.cssSelector("g.tree-node[data-node='endpoint:freub']"));
      assertThat(found.getAttribute("class")).contains("selected");
      assertThat(b.driver().findElements(By.cssSelector("[data-head='rule:ffreu']"))).hasSize(1);
    }
  }

  private static String value(JsonNode endpoints, String id) {
    return endpoints.path(id).path("Value").asText();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = EditorBrowserTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Clicks once the element is there (the drawing is redrawn after each change, so elements can go stale). */
  private static void click(ConsoleBrowser b, By by) {
    new WebDriverWait(b.driver(), ConsoleBrowser.WAIT)
        .ignoring(StaleElementReferenceException.class)
        .ignoring(ElementClickInterceptedException.class)
        .until(d -> {
          d.findElement(by).click();
          return true;
        });
  }

  /** Fits the drawing in view, then clicks a node (an entry row or an endpoint). */
  private static void clickNode(ConsoleBrowser b, String nodeId) {
    click(b, By.cssSelector("#view [data-test='tree-fit']"));
    click(b, By.cssSelector("g[data-node='" + nodeId + "']"));
    waitForSelected(b, nodeId);
  }

  /** Fits the drawing in view, then clicks a rule's head (which selects the rule). */
  private static void clickHead(ConsoleBrowser b, String ruleNodeId) {
    click(b, By.cssSelector("#view [data-test='tree-fit']"));
    click(b, By.cssSelector("g[data-head='" + ruleNodeId.replace("'", "\\'") + "']"));
    waitForSelected(b, ruleNodeId);
  }

  private static void waitForSelected(ConsoleBrowser b, String nodeId) {
    new WebDriverWait(b.driver(), ConsoleBrowser.WAIT).until(d -> List.of(nodeId).contains(
        d.findElement(By.cssSelector("#view [data-tree]")).getAttribute("data-selected")));
  }
}
