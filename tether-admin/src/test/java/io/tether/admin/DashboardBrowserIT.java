package io.tether.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.client.TetherClient;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.server.TetherServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium) against a real server, real clients and the real admin
 * port: what an operator sees, read from the elements the page promises (docs/DASHBOARD.md). Every wait
 * follows the page's text; none sleeps.
 */
class DashboardBrowserIT {
    private static final HeartbeatPolicy HEARTBEAT = HeartbeatPolicy.of(Duration.ofMillis(200), Duration.ofSeconds(2));
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SENSORS = 40;
    private static final int GATEWAYS = 10; // the last one is the peer that freezes
    private static final String FROZEN = "gateway-9";
    private static final byte[] TOKEN = "dashboard-token-of-sixteen-bytes".getBytes(StandardCharsets.UTF_8);
    private static final String HOSTILE_ID = "<img src=x onerror=\"document.title='owned'\">";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TetherServer server;
    private AdminServer admin;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void browserInstalled() {
        HeadlessChromium.assumeInstalled();
    }

    @AfterEach
    void closeAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private void start(byte[] token) throws Exception {
        PresenceFeed feed = new PresenceFeed(1000);
        server = TetherServer.builder().host("127.0.0.1").port(0).heartbeat(HEARTBEAT).listener(feed).build().start();
        toClose.add(server);
        admin = TestAdmin.start(server, feed, token);
        toClose.add(admin);
        browser = HeadlessChromium.start(1440, 1720);
        wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class); // a refresh replaced the element between find and read
    }

    private TetherClient client(String id) {
        TetherClient client = TetherClient.builder().clientId(id).server("127.0.0.1", server.address().getPort())
                .heartbeat(HEARTBEAT).build().start();
        toClose.add(client);
        return client;
    }

    private void open() {
        browser.get("http://127.0.0.1:" + admin.address().getPort() + "/");
    }

    private By feedItem(String clientId, String event, String reason) {
        return By.cssSelector("#event-feed > li[data-client-id='" + clientId + "'][data-event='" + event + "']"
                + (reason == null ? "" : "[data-reason='" + reason + "']"));
    }

    /** The client ids of the table's rows, read in one step (the page replaces its rows as it refreshes). */
    @SuppressWarnings("unchecked")
    private List<String> tableIds() {
        return (List<String>) browser.executeScript("return Array.from(document.querySelectorAll("
                + "'#session-table tbody tr[data-client-id]'), row => row.dataset.clientId);");
    }

    private void search(String prefix) {
        WebElement box = browser.findElement(By.id("session-search"));
        box.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE); // typed, as a person would: the page hears input
        box.sendKeys(prefix);
    }

    @Test
    void fiftyClientsATimeoutAKickAndASearchAsAnOperatorSeesThem() throws Exception {
        long began = System.nanoTime();
        start(null);
        open();
        wait.until(ExpectedConditions.textToBe(By.id("online-count"), "0"));
        wait.until(ExpectedConditions.textToBe(By.id("stream-status"), "live"));

        for (int i = 0; i < SENSORS; i++) {
            client(String.format("sensor-%02d", i));
        }
        for (int i = 0; i < GATEWAYS - 1; i++) {
            client("gateway-" + i);
        }
        FreezablePeer frozen = new FreezablePeer(server.address(), FROZEN, HEARTBEAT.interval());
        toClose.add(frozen);
        wait.until(ExpectedConditions.textToBe(By.id("online-count"), "50"));
        wait.until(d -> d.findElements(By.cssSelector("#event-feed > li[data-event='ONLINE']")).size() == 50);

        frozen.freeze();
        WebElement timeout = wait.until(ExpectedConditions.visibilityOfElementLocated(feedItem(FROZEN, "OFFLINE", "TIMEOUT")));
        assertThat(timeout.getText()).contains("OFFLINE", FROZEN, "TIMEOUT", "late ", "allowed");
        wait.until(ExpectedConditions.textToBe(By.id("online-count"), "49"));
        assertThat(browser.findElement(By.id("stat-timeouts")).getText()).isEqualTo("1");
        wait.until(ExpectedConditions.textMatches(By.id("lateness-note"), Pattern.compile("^1 verdict in the feed")));

        wait.until(ExpectedConditions.elementToBeClickable(By.id("kick-sensor-07"))).click();
        WebElement kicked = wait.until(ExpectedConditions.visibilityOfElementLocated(feedItem("sensor-07", "OFFLINE", "KICKED")));
        assertThat(kicked.getText()).contains("sensor-07", "KICKED", "kicked from the dashboard");
        wait.until(ExpectedConditions.textToBe(By.id("kick-status"), "kicked sensor-07"));
        wait.until(d -> d.findElements(feedItem("sensor-07", "ONLINE", null)).size() == 2); // it reconnects by itself

        search("sensor-1");
        wait.until(d -> tableIds().equals(ids("sensor-%02d", 10, 10)));
        search("sensor-");
        wait.until(d -> tableIds().equals(ids("sensor-%02d", 0, 20)));
        browser.findElement(By.id("page-next")).click();
        wait.until(d -> tableIds().equals(ids("sensor-%02d", 20, 20)));
        assertThat(browser.findElement(By.id("page-next")).isEnabled()).as("40 sensors fill two pages").isFalse();
        search("nobody-");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("session-table"), "no session online whose id starts with"));

        search("");
        wait.until(d -> tableIds().size() == 20 && tableIds().get(0).equals("gateway-0"));
        wait.until(ExpectedConditions.textMatches(By.id("rtt-note"), Pattern.compile("^4[0-9] of 49 sessions reported")));
        saveScreenshot();
        assertThat(HeadlessChromium.consoleErrors(browser)).isEmpty();
        System.out.printf("dashboard browser test took %d ms%n", (System.nanoTime() - began) / 1_000_000);
    }

    @Test
    void withATokenThePageAsksOnceAndShowsClientTextAsText() throws Exception {
        start(TOKEN);
        client("alice");
        client(HOSTILE_ID);
        awaitOnline(2);
        open();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-form")));
        assertThat(browser.findElement(By.id("stream-status")).getText()).isEqualTo("token needed");

        browser.findElement(By.id("token-input")).sendKeys("not-the-token-at-all");
        browser.findElement(By.id("token-submit")).click();
        wait.until(ExpectedConditions.textToBe(By.id("token-problem"), "the token was refused"));

        browser.findElement(By.id("token-input")).sendKeys(new String(TOKEN, StandardCharsets.UTF_8));
        browser.findElement(By.id("token-submit")).click();
        wait.until(ExpectedConditions.textToBe(By.id("online-count"), "2"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-form")));
        wait.until(ExpectedConditions.textToBe(By.id("stream-status"), "live"));

        client("carol");
        wait.until(ExpectedConditions.visibilityOfElementLocated(feedItem("carol", "ONLINE", null)));
        wait.until(ExpectedConditions.textToBe(By.id("online-count"), "3"));
        assertThat(browser.findElement(By.id("event-feed")).getText()).contains(HOSTILE_ID);
        assertThat(browser.findElements(By.cssSelector("#event-feed img, #session-table img"))).isEmpty();
        wait.until(d -> tableIds().contains(HOSTILE_ID));
        assertThat(browser.findElement(By.id("kick-" + HOSTILE_ID)).getDomAttribute("data-kick")).isEqualTo(HOSTILE_ID);
        assertThat(browser.getTitle()).isEqualTo("Tether admin");

        browser.navigate().refresh();
        wait.until(ExpectedConditions.textToBe(By.id("stream-status"), "live"));
        assertThat(browser.findElement(By.id("token-form")).isDisplayed()).as("the tab kept its token").isFalse();
        assertThat(HeadlessChromium.consoleErrors(browser)).as("only the refused token's 401")
                .allMatch(message -> message.contains("401"));
    }

    /** Waits until the server has {@code count} sessions online, following the server's own count. */
    private void awaitOnline(int count) {
        Awaitility.await().atMost(WAIT).until(() -> server.onlineCount() == count);
    }

    private static List<String> ids(String format, int from, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            ids.add(String.format(format, i));
        }
        return ids;
    }

    private void saveScreenshot() throws Exception {
        Path target = Path.of(Objects.requireNonNullElse(System.getProperty("tether.dashboard.screenshot"), "target/dashboard.png"))
                .toAbsolutePath();
        Files.createDirectories(target.getParent());
        // The window grows to the page's height (the charts keep their width), so the picture is the whole page.
        long page = (Long) browser.executeScript("return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;");
        browser.manage().window().setSize(new Dimension(browser.manage().window().getSize().getWidth(), (int) page));
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("dashboard screenshot: " + target);
    }
}
