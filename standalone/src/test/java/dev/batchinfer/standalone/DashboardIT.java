package dev.batchinfer.standalone;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchSnapshot;
import dev.batchinfer.worker.GpuWorkerApp;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver): sign in with
 * a key, watch a running batch's progress bar advance to complete, cancel another batch with its
 * button, see a failing webhook's attempts, and the system page's queues, workers and models; in
 * a narrow window too. Screenshots go to target/dashboard-*.png.
 */
class DashboardIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofMinutes(2);

  private WebDriver browser;
  private HttpServer failingReceiver;
  private final AtomicInteger failedCalls = new AtomicInteger();

  @BeforeEach
  void open() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI needs chromium and chromium-driver (.ci/run installs them)");
    }
    assumeTrue(present, "chromium and chromium-driver not installed");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    failingReceiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    failingReceiver.createContext("/hook", exchange -> {
      failedCalls.incrementAndGet();
      exchange.sendResponseHeaders(500, -1);
      exchange.close();
    });
    failingReceiver.start();
  }

  @AfterEach
  void close() {
    if (browser != null) {
      browser.quit();
    }
    if (failingReceiver != null) {
      failingReceiver.stop(0);
    }
  }

  @Test
  void sign_in_watch_a_batch_complete_cancel_another_and_see_a_failing_webhook() throws Exception {
    try (TestSystem system = new TestSystem("dashboard", Map.of("CHUNK_MAX_ITEMS", "100",
        "CALLBACK_RETRY_SCHEDULE", "0s,1s,1s", "WORKER_MAX_BATCH_SIZE", "8"))) {
      system.withResultStore().withDispatcher().withApi();
      ApiClient api = system.api();
      String running = api.submit(aBatch().withItems(20_000).withSeed(7));
      String doomed = api.submit(aBatch().withItems(2_000).withPriority("low"));
      String hooked = api.submit(aBatch().withItems(10).withCallback("http://127.0.0.1:" + failingReceiver.getAddress().getPort() + "/hook"));
      String base = "http://127.0.0.1:" + system.apiPort() + "/dashboard/";

      browser.get(base);
      browser.findElement(By.id("api-key")).sendKeys(ApiClient.KEY_A);
      browser.findElement(By.id("sign-in")).click();
      WebDriverWait wait = new WebDriverWait(browser, WAIT);
      wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
      wait.until(b -> count(b, "tr[data-batch='" + doomed + "']") == 1);
      assertThat(count(browser, "[data-testid=batches] tr[data-batch]")).isGreaterThanOrEqualTo(3);

      // Cancel from the list: the button asks, the row shows cancelling (no worker runs yet).
      wait.until(b -> {
        b.findElement(By.cssSelector("tr[data-batch='" + doomed + "'] [data-testid=cancel]")).click();
        return true;
      });
      wait.until(b -> statusOf(b, doomed).startsWith("cancel"));
      shoot("batches");

      // A worker runs the big batch until it is part-way, then stops: the page must show that part.
      GpuWorkerApp first = system.startWorker(system.workerSettings("dashboard-worker-1"));
      await().atMost(WAIT).until(() -> api.batch(running).completed() > 0);
      first.halt();
      BatchSnapshot partWay = api.batch(running);
      assertThat(partWay.completed()).as("part-way when the worker stopped").isLessThan(partWay.total());
      browser.get(base + "#/batch/" + running);
      wait.until(b -> done(b) > 0);
      long seenPartWay = done(browser);
      assertThat(seenPartWay).isLessThan(20_000);
      shoot("batch-running");

      system.startWorker(system.workerSettings("dashboard-worker-2"));
      wait.until(b -> done(b) == 20_000 && statusText(b).equals("completed"));
      assertThat(count(browser, "[data-testid=results] pre")).isEqualTo(5);
      assertThat(count(browser, "[data-testid=progress-chart] path")).isEqualTo(1);
      shoot("batch-completed");

      // The cancelled batch ends cancelled once a worker skips its chunks.
      browser.get(base + "#/batches");
      wait.until(b -> statusOf(b, doomed).equals("cancelled"));

      // A webhook receiver that always answers 500: three attempts, then failed.
      browser.get(base + "#/batch/" + hooked);
      wait.until(b -> count(b, "[data-testid=webhook-attempts] tr[data-outcome=failed]") == 1);
      assertThat(count(browser, "[data-testid=webhook-attempts] tr[data-outcome]")).isEqualTo(3);
      assertThat(text(browser, "[data-testid=webhook-attempts] tbody tr")).contains("500");
      assertThat(failedCalls.get()).isEqualTo(3);
      shoot("webhook-failing");

      browser.get(base + "#/system");
      wait.until(b -> text(b, "[data-testid=workers] tr[data-worker='dashboard-worker-2']").contains("items/s"));
      assertThat(text(browser, "[data-testid=models]")).contains("fashion-mnist", "production");
      assertThat(text(browser, "[data-testid=queues]")).contains("high", "normal", "low");
      shoot("system");

      // A phone-sized window: nothing wider than the screen.
      browser.manage().window().setSize(new Dimension(390, 844));
      browser.get(base + "#/batches");
      wait.until(b -> count(b, "tr[data-batch]") > 0);
      Object overflow = ((JavascriptExecutor) browser).executeScript(
          "return document.documentElement.scrollWidth - window.innerWidth;");
      assertThat(((Number) overflow).longValue()).as("horizontal overflow in px").isLessThanOrEqualTo(0);
      shoot("batches-narrow");
    }
  }

  // Read in one script: the page redraws itself every two seconds, so an element found a moment ago may be gone.
  private static long done(WebDriver b) {
    Object v = js(b, "const e = document.querySelector('[data-testid=progress]'); return e ? e.dataset.done : '-1';");
    return Long.parseLong(String.valueOf(v));
  }

  private static String statusText(WebDriver b) {
    return String.valueOf(js(b, "const e = document.querySelector('h1 [data-testid=status]'); return e ? e.textContent : '';"));
  }

  private static String statusOf(WebDriver b, String batchId) {
    return String.valueOf(js(b, "const e = document.querySelector(\"tr[data-batch='" + batchId
        + "'] [data-testid=status]\"); return e ? e.textContent : '';"));
  }

  private static long count(WebDriver b, String css) {
    return ((Number) js(b, "return document.querySelectorAll(arguments[0]).length;", css)).longValue();
  }

  private static String text(WebDriver b, String css) {
    return String.valueOf(js(b, "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css));
  }

  private static Object js(WebDriver b, String script, Object... args) {
    return ((JavascriptExecutor) b).executeScript(script, args);
  }

  private void shoot(String name) throws Exception {
    Path out = Path.of("target", "dashboard-" + name + ".png");
    Files.write(out, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }
}
