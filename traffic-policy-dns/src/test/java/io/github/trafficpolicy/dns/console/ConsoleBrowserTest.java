package io.github.trafficpolicy.dns.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

/** Signing in to the console through its page in a real browser (headless Chromium). */
class ConsoleBrowserTest {
  @TempDir Path dir;

  @Test
  void signingInThroughThePageSetsTheSessionCookieWithoutAnyCspViolation() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      b.signIn();

      assertThat(b.driver().findElement(By.id("who")).getText()).contains(ConsoleBrowser.ADMIN_ID);
      assertThat(b.driver().findElement(By.id("signin")).isDisplayed()).isFalse();
      Cookie session = b.driver().manage().getCookieNamed(Console.COOKIE);
      assertThat(session.isHttpOnly()).isTrue();
      assertThat(session.getSameSite()).isEqualTo("Strict");
      assertThat(b.cspViolations()).isEmpty();
    }
  }

  @Test
  void afterSigningInThePolicyListShowsTheRegistrysPolicies() throws Exception {
    Assumptions.assumeTrue(ConsoleBrowserTest.class.getClassLoader()
            .getResource(StaticResources.BASE + "policies.js") != null,
        "the policy list view (policies.js, written by the console's editor part) is not in this build");
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      String id = b.registry().createPolicy("www-browser", ConsoleApiTest.FAILOVER_GEO, Optional.of("first")).id();

      b.signIn();

      b.waitForText(By.id("policy-list"), "www-browser");
      WebElement policy = b.driver().findElement(By.cssSelector("#policy-list tbody[data-policy='" + id + "']"));
      assertThat(policy.getText()).contains("www-browser", "first", "A");
      assertThat(b.cspViolations()).isEmpty();
    }
  }

  @Test
  void aWrongSecretKeepsTheDialogOpenWithTheServersMessage() throws Exception {
    try (ConsoleBrowser b = ConsoleBrowser.start(dir)) {
      b.open("");
      b.waitFor(By.id("signin-key")).sendKeys(ConsoleBrowser.ADMIN_ID);
      b.driver().findElement(By.id("signin-secret")).sendKeys("wrong");
      b.driver().findElement(By.id("signin-submit")).click();

      b.waitForText(By.id("signin-error"), "not valid");
      assertThat(b.driver().findElement(By.id("signin")).isDisplayed()).isTrue();
      assertThat(b.driver().manage().getCookieNamed(Console.COOKIE)).isNull();
    }
  }
}
