package io.github.trafficpolicy.dns.console;

import static com.google.common.base.Preconditions.checkState;

import io.github.trafficpolicy.dns.config.ConfiguredServer;
import io.github.trafficpolicy.dns.config.ServeConfigReader;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The console in a real browser for tests: a {@code serve} server started from a configuration in a temporary
 * directory (zones {@code example.com} and {@code example.org}, a registry directory, DNS on a free loopback port, the
 * API and console on another, an audit log file) and Debian's headless Chromium driven through its chromedriver.
 *
 * <p>The browser and the driver are always Debian's ({@value #CHROMIUM}, {@value #CHROMEDRIVER}), given to Selenium
 * explicitly, so Selenium Manager never looks for or downloads either. Without them, {@link #start} skips the test
 * (a JUnit assumption saying what to install), unless {@value #REQUIRED_ENV}{@code =required} (set by
 * {@code .ci/run}, which installs them): then a missing browser fails the test.
 *
 * <p>Typical use: {@code try (ConsoleBrowser b = ConsoleBrowser.start(tempDir)) { b.signIn(); b.waitForText(...); }}.
 * {@link #registry()} seeds or checks policies directly; {@link #answer} asks the server over DNS.
 */
public final class ConsoleBrowser implements AutoCloseable {
  /** Debian's Chromium. */
  public static final String CHROMIUM = "/usr/bin/chromium";
  /** Debian's chromedriver (package {@code chromium-driver}). */
  public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  /** {@code required}: a missing browser fails instead of skipping. */
  public static final String REQUIRED_ENV = "TRAFFIC_POLICY_BROWSER_TESTS";
  /** The read-write key. */
  public static final String ADMIN_ID = "AKIDBROWSERADMIN0001";
  public static final String ADMIN_SECRET = "browser-admin-secret-00000000000000000000";
  /** A read-only key. */
  public static final String READER_ID = "AKIDBROWSERREADER001";
  public static final String READER_SECRET = "browser-reader-secret-0000000000000000000";
  /** How long waits for the page last before failing. */
  public static final Duration WAIT = Duration.ofSeconds(20);

  private final Path dir;
  private final ConfiguredServer server;
  private final WebDriver driver;

  private ConsoleBrowser(Path dir, ConfiguredServer server, WebDriver driver) {
    this.dir = dir;
    this.server = server;
    this.driver = driver;
  }

  /**
   * Skips the calling test when Chromium or chromedriver is missing (fails instead when {@value #REQUIRED_ENV} is
   * {@code required}).
   */
  public static void assumeBrowser() {
    List<String> missing = new ArrayList<>();
    for (String f : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(Path.of(f))) {
        missing.add(f);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String why = "the console's browser tests need Debian's chromium and chromium-driver (apt-get install chromium "
        + "chromium-driver); missing: " + String.join(", ", missing);
    if ("required".equals(System.getenv(REQUIRED_ENV))) {
      throw new AssertionError(why + " (" + REQUIRED_ENV + "=required)");
    }
    Assumptions.abort(why);
  }

  /**
   * Starts the server (its files in {@code dir}) and the browser, on a blank page. The registry is empty; seed it with
   * {@link #registry()} before or after.
   */
  public static ConsoleBrowser start(Path dir) throws IOException {
    assumeBrowser();
    Files.writeString(dir.resolve("credentials"), String.join("\n",
        "[admin]", "aws_access_key_id = " + ADMIN_ID, "aws_secret_access_key = " + ADMIN_SECRET,
        "[reader]", "aws_access_key_id = " + READER_ID, "aws_secret_access_key = " + READER_SECRET,
        "read_only = true", ""), StandardCharsets.UTF_8);
    for (String zone : List.of("example.com", "example.org")) {
      Files.writeString(dir.resolve(zone + ".zone"), String.join("\n",
          "$ORIGIN " + zone + ".", "$TTL 3600",
          "@ IN SOA ns1 hostmaster 2024010101 7200 900 1209600 300", "@ IN NS ns1", "ns1 IN A 192.0.2.53",
          "static IN A 192.0.2.80", ""), StandardCharsets.UTF_8);
    }
    Files.createDirectories(dir.resolve("registry"));
    Path config = Files.writeString(dir.resolve("serve.json"), """
        { "listen": ["127.0.0.1:0"], "udpThreads": 1,
          "zones": [{"origin": "example.com", "file": "example.com.zone"},
                    {"origin": "example.org", "file": "example.org.zone"}],
          "registry": {"directory": "registry", "pollMillis": 100},
          "api": {"listen": "127.0.0.1:0", "credentials": "credentials", "auditLog": "audit.log"},
          "printCountersOnShutdown": false }
        """, StandardCharsets.UTF_8);
    ConfiguredServer server = ConfiguredServer.create(ServeConfigReader.read(config)).start();
    try {
      return new ConsoleBrowser(dir, server, chrome());
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  private static WebDriver chrome() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--window-size=1400,900", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--lang=en-US");
    if ("root".equals(System.getProperty("user.name"))) {
      // Chromium refuses to run as root inside its sandbox.
      options.addArguments("--no-sandbox");
    }
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort()
        .build();
    ChromeDriver d = new ChromeDriver(service, options);
    d.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    return d;
  }

  /** The browser. */
  public WebDriver driver() {
    return driver;
  }

  /** The running server. */
  public ConfiguredServer server() {
    return server;
  }

  /** The server's registry (the one the console changes). */
  public TrafficPolicyRegistry registry() {
    return server.registry().orElseThrow().registry();
  }

  /** The directory holding the configuration, zones, registry and {@code audit.log}. */
  public Path directory() {
    return dir;
  }

  /** The audit log's lines so far. */
  public List<String> auditLog() throws IOException {
    Path log = dir.resolve("audit.log");
    return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
  }

  /** {@code http://127.0.0.1:PORT} of the API and console. */
  public String origin() {
    return server.api().orElseThrow().endpoint();
  }

  /** {@code http://127.0.0.1:PORT/console/}. */
  public String consoleUrl() {
    return origin() + "/console/";
  }

  /** The DNS port (UDP and TCP on 127.0.0.1). */
  public int dnsPort() {
    return server.server().addresses().get(0).getPort();
  }

  /** Opens the console at {@code hash} ({@code ""} or e.g. {@code "#/records"}). */
  public ConsoleBrowser open(String hash) {
    driver.get(consoleUrl() + hash);
    return this;
  }

  /** Opens the console and signs in through its dialog with the read-write key; waits until signed in. */
  public ConsoleBrowser signIn() {
    return signIn(ADMIN_ID, ADMIN_SECRET);
  }

  /** Opens the console and signs in through its dialog; waits until the page shows the key as signed in. */
  public ConsoleBrowser signIn(String id, String secret) {
    open("");
    WebElement key = waitFor(By.id("signin-key"));
    key.clear();
    key.sendKeys(id);
    driver.findElement(By.id("signin-secret")).sendKeys(secret);
    driver.findElement(By.id("signin-submit")).click();
    waitForText(By.id("who"), id);
    return this;
  }

  /** Waits until an element is visible, and returns it. */
  public WebElement waitFor(By by) {
    return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /** Waits until an element's text contains {@code text}. */
  public void waitForText(By by, String text) {
    new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
  }

  /** Saves a PNG screenshot of the window at {@code file} (directories made). */
  public Path screenshot(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    return file;
  }

  /** The browser's console messages since the last call (CSP violations, script errors …), one line each. */
  public List<String> browserLog() {
    List<String> out = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      out.add(e.getLevel() + " " + e.getMessage());
    }
    return out;
  }

  /** Those of {@link #browserLog()} that report a Content Security Policy violation. */
  public List<String> cspViolations() {
    return browserLog().stream().filter(l -> l.toLowerCase(Locale.ROOT).contains("content security policy"))
        .toList();
  }

  /**
   * The answer's record data (zone-file text, in order) the server gives {@code name} of {@code type} for a client in
   * {@code subnet} (an ECS option, e.g. {@code 198.51.100.0/24}; null for none), asked over UDP.
   */
  public List<String> answer(String name, int type, String subnet) throws IOException {
    SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
    r.setPort(dnsPort());
    r.setTimeout(Duration.ofSeconds(5));
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type,
        DClass.IN));
    if (subnet != null) {
      String[] parts = subnet.split("/");
      q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(Integer.parseInt(parts[1]),
          InetAddress.getByName(parts[0])))), Section.ADDITIONAL);
    }
    Message m = r.send(q);
    return m.getSection(Section.ANSWER).stream().filter(rec -> rec.getType() == type)
        .map(Record::rdataToString).toList();
  }

  /** {@link #answer} for an A record. */
  public List<String> answerA(String name, String subnet) throws IOException {
    return answer(name, Type.A, subnet);
  }

  /**
   * Runs {@code dig @127.0.0.1 -p PORT args...} (Debian's {@code bind9-dnsutils}, installed by {@code .ci/run}) and
   * returns its standard output; skips the test when dig is missing (fails with {@value #REQUIRED_ENV}=required).
   */
  public String dig(String... args) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of("/usr/bin/dig"))) {
      if ("required".equals(System.getenv(REQUIRED_ENV))) {
        throw new AssertionError("/usr/bin/dig is missing (apt-get install bind9-dnsutils)");
      }
      Assumptions.abort("/usr/bin/dig is missing (apt-get install bind9-dnsutils)");
    }
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/dig", "@127.0.0.1", "-p", Integer.toString(dnsPort())));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    checkState(p.waitFor(30, TimeUnit.SECONDS), "dig did not finish");
    return out;
  }

  /** Quits the browser and stops the server. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      server.close();
    }
  }
}
