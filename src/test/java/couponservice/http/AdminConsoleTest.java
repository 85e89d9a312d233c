package couponservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.node.ServiceNode;
import couponservice.kafka.Topics;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.HeadlessChromium;
import couponservice.testkit.KafkaProbe;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The admin console in headless Chromium against a real node: signing in, creating policies (the API's validation
 * shown at the field), the live dashboard, replaying a dead letter, refusal of a USER token, the API reference, and no
 * Content-Security-Policy violation or script error on any page.
 */
class AdminConsoleTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final Duration WAIT = Duration.ofSeconds(15);
  /** How quickly the dashboard must show coupons issued through the API. */
  private static final Duration LIVE = Duration.ofSeconds(3);
  private static final int LAPTOP_WIDTH = 1366;
  private static final int TABLET_WIDTH = 768;

  private static ServiceNode node;
  private static HeadlessChromium browser;
  private static ChromeDriver driver;

  @BeforeAll
  static void start() {
    assumeTrue(HeadlessChromium.installed(), "Chromium and chromedriver are not installed (.ci/run installs them)");
    node = TestNodes.startSingle(database);
    browser = HeadlessChromium.start(LAPTOP_WIDTH, 900);
    driver = browser.driver();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (node != null) {
      node.close();
    }
  }

  /** The console as a new tab would see it: nothing in sessionStorage, the sign-in page. */
  @BeforeEach
  void freshConsole() {
    driver.manage().window().setSize(new Dimension(LAPTOP_WIDTH, 900));
    driver.get(url("/admin/"));
    browser.script("sessionStorage.clear()");
    driver.navigate().refresh();
    browser.waitUpTo(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
  }

  @AfterEach
  void noPolicyViolationOrScriptError() {
    List<String> problems = browser.consoleMessages().stream()
        .filter(message -> message.contains("Content Security Policy") || message.contains("Uncaught")
            || message.contains("TypeError") || message.contains("SyntaxError"))
        .toList();
    assertTrue(problems.isEmpty(), () -> "the browser reported: " + problems);
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + node.httpPort() + path;
  }

  private static void signIn(String token) {
    WebElement field = driver.findElement(By.id("token"));
    field.clear();
    field.sendKeys(token);
    driver.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
  }

  private static void signInAsAdmin() {
    signIn(ApiClient.adminToken());
    browser.waitUpTo(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("live-status")));
  }

  private static void open(String hash) {
    browser.script("location.hash = arguments[0]", hash);
  }

  private static WebElement waitFor(String css) {
    return browser.waitUpTo(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  private static String activeElementId() {
    return (String) browser.script("return document.activeElement.id");
  }

  private static void type(String field, String value) {
    WebElement input = driver.findElement(By.id("policy-" + field));
    input.clear();
    input.sendKeys(value);
  }

  private static List<String> policyNames() {
    Response page = api.send(node.httpPort(), "GET", "/api/coupon-policies?limit=100", ApiClient.adminToken(), null);
    assertEquals(200, page.status(), page.body()::toString);
    return StreamSupport.stream(page.body().path("policies").spliterator(), false)
        .map(policy -> policy.path("couponName").asText()).toList();
  }

  private static long createPolicy(String name, Map<String, Object> terms) {
    Map<String, Object> body = new HashMap<>(terms);
    body.put("couponName", name);
    return api.createPolicy(node.httpPort(), body);
  }

  private static void directIssue(long policyId, long firstUser, int users) {
    List<Long> userIds = LongStream.range(firstUser, firstUser + users).boxed().toList();
    Response issued = api.send(node.httpPort(), "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
        Map.of("couponPolicyId", policyId, "userIds", userIds, "issuedBy", "console-test"));
    assertEquals(201, issued.status(), issued.body()::toString);
    assertEquals(users, issued.longField("successCount"), issued.body()::toString);
  }

  @Test
  void anAdminSignsInWithTheKeyboardAloneAndTheTokenStaysInSessionStorage() {
    Actions keys = new Actions(driver);
    keys.sendKeys(Keys.TAB).perform();
    assertEquals("skip-link", activeElementId(), "the skip link is the first stop");
    keys.sendKeys(Keys.ENTER).perform();
    assertEquals("Sign in", driver.switchTo().activeElement().getText(), "the skip link moved focus to the page");
    keys.sendKeys(Keys.TAB).perform();
    assertEquals("token", activeElementId());
    String token = ApiClient.adminToken();
    keys.sendKeys(token).sendKeys(Keys.TAB).perform();
    WebElement submit = driver.switchTo().activeElement();
    assertEquals("Sign in", submit.getText());
    assertNotEquals("none", submit.getCssValue("outline-style"), "the keyboard focus is visible");
    keys.sendKeys(Keys.ENTER).perform();

    waitFor("#live-status");
    assertEquals(token, browser.script("return sessionStorage.getItem('coupon-service.admin-token')"));
    assertTrue(driver.manage().getCookies().isEmpty(), "no cookie holds the token");
    assertFalse(driver.getCurrentUrl().contains(token), "the URL does not hold the token");
    assertTrue(driver.findElement(By.id("session-subject")).getText().contains("test-admin"));

    driver.findElement(By.id("sign-out")).click();
    waitFor("#token");
    assertNull(browser.script("return sessionStorage.getItem('coupon-service.admin-token')"));
  }

  @Test
  void aCreateWithABadFieldShowsTheApisMessageAtThatFieldAndCreatesNothing() {
    long before = createPolicy("Created before the refused one", Map.of());
    signInAsAdmin();
    open("#/policies/new");
    waitFor("#policy-form");
    type("couponName", "Refused percentage");
    new Select(driver.findElement(By.id("policy-discountType"))).selectByValue("PERCENTAGE");
    type("discountValue", "150");
    driver.findElement(By.cssSelector("#policy-form button[type=submit]")).click();

    WebElement message = waitFor("#policy-discountValue-error");
    assertTrue(message.getText().contains("discountValue"), message.getText());
    assertEquals("true", driver.findElement(By.id("policy-discountValue")).getAttribute("aria-invalid"));
    assertEquals("policy-discountValue", activeElementId(), "focus moved to the refused field");
    assertTrue(driver.findElements(By.cssSelector("#policy-form .field-error")).stream()
        .filter(WebElement::isDisplayed).count() == 1, "only the refused field shows a message");
    browser.screenshot("policy-form-refused");

    // The registry numbers policies one after another: the next policy gets the next id, so none was made between.
    long after = createPolicy("Created after the refused one", Map.of());
    assertEquals(before + 1, after, "the refused create used no policy id");
    Eventually.await(WAIT, "the list shows the policy created after it",
        () -> policyNames().contains("Created after the refused one"));
    assertFalse(policyNames().contains("Refused percentage"));
  }

  @Test
  void aValidCreateAppearsInTheList() {
    signInAsAdmin();
    open("#/policies/new");
    waitFor("#policy-form");
    type("couponName", "Spring welcome");
    type("couponCode", "SPRING-CONSOLE");
    new Select(driver.findElement(By.id("policy-distributionType"))).selectByValue("CODE");
    type("discountValue", "2500");
    type("maxIssueCount", "300");
    driver.findElement(By.cssSelector("#policy-form button[type=submit]")).click();

    WebElement row = browser.waitUpTo(WAIT).until(driver -> driver.findElements(By.cssSelector("#policy-list tbody tr"))
        .stream().filter(tr -> tr.getText().contains("Spring welcome")).findFirst().orElse(null));
    long policyId = Long.parseLong(row.getAttribute("data-policy-id"));
    Response created = api.send(node.httpPort(), "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
    assertEquals(200, created.status());
    assertEquals("SPRING-CONSOLE", created.body().path("couponCode").asText());
    assertEquals(300, created.longField("maxIssueCount"));

    // Read again from the list endpoint once its read view has the policy: the row comes from the API.
    Eventually.await(WAIT, "the list endpoint has the policy", () -> policyNames().contains("Spring welcome"));
    driver.navigate().refresh();
    WebElement listed = waitFor("#policy-list tr[data-policy-id='" + policyId + "']");
    assertTrue(listed.getText().contains("SPRING-CONSOLE"), listed.getText());
    browser.screenshot("policy-list");
  }

  @Test
  void theStockIsChangedAndThePolicyDeactivatedFromItsPage() {
    long policyId = createPolicy("Stocked policy", Map.of("distributionType", "DIRECT", "maxIssueCount", 100));
    directIssue(policyId, 1, 30);
    signInAsAdmin();
    open("#/policies/" + policyId);
    waitFor("#policy-facts dl");
    WebElement stock = driver.findElement(By.id("stock-newMaxIssueCount"));
    stock.sendKeys("20");
    driver.findElement(By.cssSelector("#stock-form button[type=submit]")).click();
    WebElement refusal = waitFor("#stock-newMaxIssueCount-error");
    assertTrue(refusal.getText().contains("below the 30 coupons already issued"), refusal.getText());
    assertEquals("stock-newMaxIssueCount", activeElementId());

    stock.clear();
    stock.sendKeys("250");
    driver.findElement(By.id("stock-reason")).sendKeys("more budget");
    driver.findElement(By.cssSelector("#stock-form button[type=submit]")).click();
    browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.cssSelector("#policy-facts [data-field='maxIssueCount']"), "250"));
    assertTrue(driver.findElement(By.cssSelector("main .status-region")).getText().contains("from 100 to 250"));

    driver.findElement(By.cssSelector("#policy-facts button[data-action='deactivate']")).click();
    waitFor("#policy-facts button[data-action='activate']");
    Response policy = api.send(node.httpPort(), "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
    assertEquals(250, policy.longField("maxIssueCount"));
    assertFalse(policy.body().path("isActive").asBoolean());
  }

  @Test
  void couponsIssuedThroughTheApiMoveTheDashboardWithinThreeSecondsWithoutAReload() {
    long winter = createPolicy("Winter VIP", Map.of("distributionType", "DIRECT", "maxIssueCount", 5000));
    long flash = createPolicy("Flash sale 30%", Map.of("distributionType", "FIRST_COME", "maxIssueCount", 2000,
        "discountType", "PERCENTAGE", "discountValue", 30));
    signInAsAdmin();
    String winterIssued = "#live-rows tr[data-policy-id='" + winter + "'] td[data-field='issued']";
    String flashIssued = "#live-rows tr[data-policy-id='" + flash + "'] td[data-field='issued']";
    browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.cssSelector(winterIssued), "0"));
    browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.cssSelector(flashIssued), "0"));
    browser.script("window.consoleTestMarker = 'not reloaded'");

    long user = 1;
    int[][] rounds = {{40, 0}, {120, 60}, {80, 150}, {200, 90}, {60, 30}, {150, 0}, {90, 120}, {30, 60}};
    int winterTotal = 0;
    int flashTotal = 0;
    for (int[] round : rounds) {
      directIssue(winter, user, round[0]);
      user += round[0];
      winterTotal += round[0];
      if (round[1] > 0) {
        directIssue(flash, user, round[1]);
        user += round[1];
        flashTotal += round[1];
      }
      browser.waitUpTo(LIVE).until(ExpectedConditions.textToBe(By.cssSelector(winterIssued), String.valueOf(winterTotal)));
      browser.waitUpTo(LIVE).until(ExpectedConditions.textToBe(By.cssSelector(flashIssued), String.valueOf(flashTotal)));
    }

    assertEquals("not reloaded", browser.script("return window.consoleTestMarker"));
    WebElement remaining = driver.findElement(By.cssSelector(
        "#live-rows tr[data-policy-id='" + winter + "'] td[data-field='remaining']"));
    assertEquals(String.format(Locale.US, "%,d", 5000 - winterTotal), remaining.getText());
    List<String> chartSeries = driver.findElements(By.cssSelector("#issue-rate-chart .u-legend .u-series")).stream()
        .map(WebElement::getText).toList();
    assertTrue(chartSeries.stream().anyMatch(s -> s.contains("#" + winter + " Winter VIP")), chartSeries::toString);
    assertTrue(chartSeries.stream().anyMatch(s -> s.contains("#" + flash + " Flash sale 30%")), chartSeries::toString);
    // Tall enough to show the chart and the table together (docs/console-dashboard.png is this picture).
    driver.manage().window().setSize(new Dimension(LAPTOP_WIDTH, 1000));
    browser.screenshot("dashboard");
  }

  @Test
  void aUserTokenIsRefusedWithTheApisErrorAndSeesNoData() {
    createPolicy("Not for users", Map.of());
    signIn(ApiClient.userToken(42));
    WebElement error = waitFor("#sign-in-error [data-error-code]");
    assertEquals("FORBIDDEN", error.getAttribute("data-error-code"));
    assertTrue(error.getText().contains("403"), error.getText());
    assertNull(browser.script("return sessionStorage.getItem('coupon-service.admin-token')"), "the token was not kept");
    assertFalse(driver.findElement(By.id("site-nav")).isDisplayed());
    assertFalse(driver.findElement(By.id("sign-out")).isDisplayed());

    // A USER token already in the tab (pasted by hand into sessionStorage) meets the same refusal on every page.
    browser.script("sessionStorage.setItem('coupon-service.admin-token', arguments[0])", ApiClient.userToken(42));
    driver.get(url("/admin/#/policies"));
    WebElement refusal = waitFor("#sign-in-error [data-error-code]");
    assertEquals("FORBIDDEN", refusal.getAttribute("data-error-code"));
    assertTrue(driver.findElements(By.id("policy-list")).isEmpty(), "no policy list was rendered");
    assertFalse(driver.getPageSource().contains("Not for users"), "no policy reached the page");
    assertNull(browser.script("return sessionStorage.getItem('coupon-service.admin-token')"));
    browser.screenshot("user-token-refused");
  }

  @Test
  void theApiReferenceRendersUnderTheContentSecurityPolicy() {
    signInAsAdmin();
    driver.get(url("/admin/api-docs.html"));
    WebElement title = browser.waitUpTo(WAIT).until(
        ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".swagger-ui .info .title")));
    assertTrue(title.getText().startsWith("Coupon service API"), title.getText());
    assertTrue(driver.findElements(By.cssSelector(".swagger-ui .opblock")).size() > 20, "the operations are listed");
    browser.screenshot("api-reference");
  }

  @Test
  void thePagesFitLaptopAndTabletWidths() {
    long policyId = createPolicy("A policy with a rather long name to test wrapping in narrow tables", Map.of());
    signInAsAdmin();
    Map<String, String> pages = new LinkedHashMap<>();
    pages.put("#/dashboard", "#live-status");
    pages.put("#/policies", "#policy-list table");
    pages.put("#/policies/new", "#policy-form");
    pages.put("#/policies/" + policyId, "#policy-facts dl");
    pages.put("#/jobs", "#job-list > *");
    pages.put("#/dead-letters", "#dead-letter-list > *");
    for (int width : new int[] {LAPTOP_WIDTH, TABLET_WIDTH}) {
      driver.manage().window().setSize(new Dimension(width, 1024));
      for (Map.Entry<String, String> page : pages.entrySet()) {
        open(page.getKey());
        waitFor(page.getValue());
        Number overflow = (Number) browser.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertEquals(0, overflow.intValue(), page.getKey() + " scrolls sideways at " + width + " px");
      }
      open("#/policies/" + policyId);
      waitFor("#policy-facts dl");
      browser.screenshot("policy-" + width + "px");
    }
  }

  @Test
  void aCsvJobRunsToCompletedWithItsProgressBar() throws IOException {
    long policyId = createPolicy("Newsletter VIP", Map.of("distributionType", "DIRECT", "maxIssueCount", 1500));
    Path csv = Files.createTempFile("console-job-", ".csv");
    Files.writeString(csv, "userId\n" + LongStream.rangeClosed(1, 2000).mapToObj(Long::toString)
        .collect(Collectors.joining("\n")) + "\n");
    signInAsAdmin();
    open("#/jobs?policy=" + policyId);
    waitFor("#job-form");
    assertEquals(String.valueOf(policyId), driver.findElement(By.id("job-couponPolicyId")).getAttribute("value"));
    driver.findElement(By.id("job-name")).sendKeys("Newsletter VIP");
    driver.findElement(By.id("job-file")).sendKeys(csv.toString());
    driver.findElement(By.cssSelector("#job-form button[type=submit]")).click();

    WebElement progress = waitFor("#job-progress");
    browser.waitUpTo(Duration.ofSeconds(60)).until(ExpectedConditions.textToBe(
        By.cssSelector("#job-summary [data-field='status']"), "COMPLETED"));
    assertEquals("2000", progress.getAttribute("max"));
    assertEquals("2000", progress.getAttribute("value"));
    assertTrue(driver.findElement(By.id("job-progress-text")).getText().contains("(100%)"));
    assertEquals("500", driver.findElement(By.cssSelector("#job-failures tr[data-code='COUPON_SOLD_OUT'] td.num")).getText());
    waitFor("#job-results tbody tr");
    browser.screenshot("job-completed");

    String jobId = driver.getCurrentUrl().replaceAll(".*#/jobs/", "");
    Response job = api.send(node.httpPort(), "GET", "/api/issuance-jobs/" + jobId, ApiClient.adminToken(), null);
    assertEquals("COMPLETED", job.body().path("status").asText());
    assertEquals(1500, job.longField("successCount"));
    Files.delete(csv);
  }

  @Test
  void aDeadLetterIsReplayed() {
    try (KafkaProbe kafka = new KafkaProbe(database)) {
      kafka.produce(Topics.PAYMENT_COMPLETED, "console-test", "{\"this is\": \"not a payment event\"}");
      Eventually.await(WAIT, "the message is dead-lettered",
          () -> !kafka.records(Topics.PAYMENT_COMPLETED + Topics.DLQ_SUFFIX).isEmpty());
    }
    signInAsAdmin();
    open("#/dead-letters?topic=" + Topics.PAYMENT_COMPLETED);
    WebElement replay = waitFor("#dead-letter-list button[data-action='replay']");
    String id = replay.findElement(By.xpath("./ancestor::tr")).getAttribute("data-dead-letter-id");
    replay.click();

    String replayedAt = "#dead-letter-list tr[data-dead-letter-id='" + id + "'] [data-field='replayedAt']";
    // The list is drawn again after the replay: a cell found just before that is stale, and found again.
    browser.waitUpTo(WAIT).ignoring(StaleElementReferenceException.class)
        .until(driver -> !driver.findElement(By.cssSelector(replayedAt)).getText().equals("—"));
    Response letters = api.send(node.httpPort(), "GET", "/api/dead-letters?topic=" + Topics.PAYMENT_COMPLETED,
        ApiClient.adminToken(), null);
    JsonNode letter = StreamSupport.stream(letters.body().path("deadLetters").spliterator(), false)
        .filter(l -> l.path("id").asText().equals(id)).findFirst().orElseThrow();
    assertFalse(letter.path("replayedAt").isNull(), letter::toString);
    browser.screenshot("dead-letter-replayed");
  }
}
