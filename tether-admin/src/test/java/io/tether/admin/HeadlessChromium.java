package io.tether.admin;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Debian's headless Chromium driven through Debian's chromedriver: both are named explicitly, so Selenium
 * Manager is never asked to find (or download) a driver or a browser, and it is told to stay offline should
 * anything ask it. Where the packages are missing the test is skipped, saying why: {@code ./test} installs
 * them when it can and passes its reason when it cannot.
 */
final class HeadlessChromium {
    static final Path BROWSER = Path.of(env("TETHER_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(env("TETHER_CHROMEDRIVER", "/usr/bin/chromedriver"));

    private HeadlessChromium() {
    }

    /** Skips the calling test, with the reason, unless both the browser and its driver are installed. */
    static void assumeInstalled() {
        boolean installed = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
        assumeTrue(installed, () -> "skipped: chromium and chromium-driver are not installed and cannot be installed"
                + " here (" + env("TETHER_BROWSER_UNAVAILABLE", "no " + (Files.isExecutable(BROWSER) ? DRIVER : BROWSER)
                + "; ./test installs both with apt-get when it runs as root or with passwordless sudo") + ")");
    }

    /** A new browser whose window (and so its screenshots) is {@code width} by {@code height} pixels. */
    static ChromeDriver start(int width, int height) {
        System.setProperty("SE_OFFLINE", "true"); // passed to Selenium Manager as its environment, were it ever run
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().withLogFile(new File("target/chromedriver.log")).build();
        ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + width + "," + height, "--force-device-scale-factor=1", "--lang=en-US",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        return new ChromeDriver(service, options);
    }

    /** The page's console errors so far: script errors, refused loads, Content-Security-Policy violations. */
    static List<String> consoleErrors(ChromeDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
