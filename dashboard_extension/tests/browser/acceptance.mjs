// The dashboard extension in a real browser against the running app (started by
// tests/dashboard/test_browser.py with a fake Saleor and demo data):
//
//   1. standalone: every page, the cart scenario turned on after its dry run, a delay
//      changed, the results CSV downloaded, settings saved, the customer pages;
//   2. inside a stand-in dashboard: the customer widget gets its token over AppBridge.
//
// A screenshot of every page goes to ARTIFACTS. Prints one line per check; exits 1 at the
// first failure. Environment: BASE_URL, TOKEN, CUSTOMER_ID (a Saleor user id), CART_ENTRIES
// (the cart scenario's expected 7-day dry run), ARTIFACTS, CHROMIUM.

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const BASE = env("BASE_URL").replace(/\/$/, "");
const TOKEN = env("TOKEN");
const CUSTOMER_ID = env("CUSTOMER_ID");
const CART_ENTRIES = env("CART_ENTRIES");
const ARTIFACTS = env("ARTIFACTS");
const CART = "Abandoned cart: 24 / 48 / 72 hours";
mkdirSync(ARTIFACTS, { recursive: true });

const problems = [];
function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // The stand-in dashboard is served from a made-up public http address and frames the
  // app on loopback: Chromium's local network access checks would block that, and AppBridge
  // needs a secure context. A real dashboard and app are both public and on https.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-features=LocalNetworkAccessChecks",
    "--unsafely-treat-insecure-origin-as-secure=http://dashboard.test",
  ],
});

const local = (url) => url.startsWith(BASE) || url.startsWith("http://dashboard.test/") || url.startsWith("data:") || url === "about:srcdoc";

/** No internet here: requests leaving the app (an email preview's links and pixel) are cut. */
async function offline(context) {
  await context.route((url) => !local(url.href), (route) => route.abort("blockedbyclient"));
}

function watch(page) {
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    const cut = message.text().startsWith("Failed to load resource") && !local(message.location().url ?? "");
    if (message.type() === "error" && !cut && !message.text().includes("saleorApiUrl param was not found")) {
      problems.push(`console error: ${message.text()} (${message.location().url})`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !response.url().endsWith("/favicon.ico")) problems.push(`${response.status()} ${response.url()}`);
  });
}

async function shot(page, name) {
  await page.waitForLoadState("load");
  // no skeletons left: the page has its data
  await page.locator('[aria-busy="true"]').first().waitFor({ state: "detached", timeout: 15000 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  console.log(`ok - screenshot ${name}.png`);
}

async function go(page, label) {
  await page.getByRole("navigation", { name: "Lifecycle" }).getByRole("link", { name: label }).click();
  await page.getByRole("heading", { level: 1, name: label }).waitFor();
}

try {
  // --- 1. standalone ------------------------------------------------------------------
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await offline(context);
  const page = await context.newPage();
  watch(page);

  await page.goto(`${BASE}/app/#standalone-token=${TOKEN}`);
  await page.getByText("Standalone demo — not inside a Saleor dashboard").waitFor();
  check(!page.url().includes("standalone-token"), "the token is taken out of the address bar");
  await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
  await page.getByRole("img", { name: /^Customers per stage:/ }).waitFor();
  check((await page.getByText(/Biggest movements in 30 days/).count()) === 1, "the overview shows the 30-day flows");
  await shot(page, "overview");

  // keyboard: the first Tab stop is the navigation
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement?.textContent);
  check(focused === "Overview", "Tab reaches the navigation first");

  await go(page, "Scenarios");
  const cartSwitch = page.getByRole("switch", { name: `${CART} on` });
  await cartSwitch.waitFor();
  check(!(await cartSwitch.isChecked()), "the cart scenario starts off");
  await shot(page, "scenarios");

  // enable the cart scenario: the dry run comes first
  await cartSwitch.click();
  const dialog = page.getByRole("dialog", { name: `Turn on ${CART}?` });
  await dialog.waitFor();
  const entries = dialog.getByTestId("dry-run-entries");
  await entries.waitFor();
  check((await entries.textContent()) === CART_ENTRIES, `the dry run says ${CART_ENTRIES} customers would enter in 7 days`);
  await page.screenshot({ path: join(ARTIFACTS, "scenario-enable-dry-run.png") });
  await dialog.getByRole("button", { name: "Turn on" }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.waitForFunction((name) => document.querySelector(`[aria-label="${name}"]`)?.checked === true, `${CART} on`);
  check(await cartSwitch.isChecked(), "the cart scenario is on");

  // change a delay
  await page.getByRole("link", { name: CART }).click();
  await page.getByRole("heading", { level: 1, name: CART }).waitFor();
  await page.getByTestId("step-cart_reminder").getByRole("option", { name: "Your cart is waiting (cart_reminder)" }).waitFor({ state: "attached" });
  check(true, "the steps offer the shop's emails by name");
  const firstWait = page.getByTestId("step-wait_1_hour").getByLabel("Wait (hours)");
  check((await firstWait.inputValue()) === "1", "the first reminder waits 1 hour");
  await firstWait.fill("0");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Must be more than 0.").waitFor();
  check(true, "a zero delay is refused before anything is sent");
  await firstWait.fill("2");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText(/Saved as version 2/).waitFor();
  check((await firstWait.inputValue()) === "2", "the delay is saved as a new version");
  check((await page.getByTestId("dry-run-entries").textContent()).includes(CART_ENTRIES), "the scenario page shows the dry run");
  const subject = page.getByTestId("preview-subject");
  await subject.waitFor();
  check(((await subject.textContent()) ?? "").length > 0, `the email preview shows its subject: ${await subject.textContent()}`);
  await page.getByTestId("step-cart_last_chance").getByRole("button", { name: "Preview" }).click();
  await page.getByTestId("step-cart_last_chance").getByLabel("Percent off").fill("15");
  await page.waitForTimeout(1200); // the preview follows the offer as it is typed
  await shot(page, "scenario");

  await go(page, "Segments");
  await page.getByRole("button", { name: /^Champions: \d+ customers \(recency 5, frequency 5\)/ }).click();
  await page.getByRole("heading", { name: "Champions: customers" }).waitFor();
  await shot(page, "segments");

  await go(page, "Results");
  await page.getByRole("img", { name: /Conversion uplift per scenario/ }).waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
  const csv = readFileSync(await download.path(), "utf8");
  check(/^lifecycle-results-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/.test(download.suggestedFilename()), `the CSV is named ${download.suggestedFilename()}`);
  check(csv.split("\n")[0].includes("step") && csv.includes("reactivation"), "the CSV has a header and the scenario's rows");
  await shot(page, "results");

  await go(page, "Settings");
  const shopName = page.getByLabel("Shop name");
  await shopName.fill("Demo Garden Shop");
  await page.getByRole("form", { name: "Sender and branding" }).getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved. The next email uses these.").waitFor();
  check(true, "the sender settings are saved");
  await page.getByLabel("Quiet hours start").fill("25:00");
  await page.getByRole("form", { name: "Frequency budget and quiet hours" }).getByRole("button", { name: "Save" }).click();
  await page.getByText("Use 24-hour time, e.g. 21:00.").waitFor();
  check(true, "a wrong quiet-hours time is explained at the field");
  await shot(page, "settings");

  // the customer's widget, popup and page, outside the dashboard
  await page.setViewportSize({ width: 480, height: 800 });
  await page.goto(`${BASE}/app/widgets/customer?customerId=${encodeURIComponent(CUSTOMER_ID)}`);
  await page.getByText("P(alive)").waitFor();
  await shot(page, "customer-widget");
  await page.goto(`${BASE}/app/actions/customer?customerId=${encodeURIComponent(CUSTOMER_ID)}`);
  const pause = page.getByRole("switch", { name: "Pause this app's emails to this customer" });
  await pause.click();
  await page.getByText(/^Paused since/).waitFor();
  check(await pause.isChecked(), "the customer's emails are paused");
  await shot(page, "customer-actions");
  await page.goto(`${BASE}/app/widgets/home`);
  await page.getByText(/at risk ·/).waitFor();
  await shot(page, "home-widget");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${BASE}/app/widgets/customer?customerId=${encodeURIComponent(CUSTOMER_ID)}`);
  await page.getByRole("link", { name: "Open in Lifecycle" }).click();
  await page.getByRole("heading", { name: "Scenarios and emails" }).waitFor();
  check((await page.getByText("emails paused").count()) > 0, "the customer page shows the pause");
  await shot(page, "customer");
  await context.close();

  // without a token: what to do
  const empty = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  await offline(empty);
  const bare = await empty.newPage();
  await bare.goto(`${BASE}/app/`);
  await bare.getByText(/Open this app from your Saleor dashboard/).waitFor();
  await shot(bare, "no-session");
  await empty.close();

  // --- 2. inside a stand-in dashboard ---------------------------------------------------
  const dashboard = await browser.newContext({ viewport: { width: 900, height: 700 } });
  await offline(dashboard);
  const host = await dashboard.newPage();
  watch(host);
  const widgetUrl = `${BASE}/app/widgets/customer?customerId=${encodeURIComponent(CUSTOMER_ID)}&saleorApiUrl=${encodeURIComponent("http://saleor.test/graphql/")}&id=app&theme=light`;
  await host.route("http://dashboard.test/**", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>Saleor dashboard</title><h1 style="font:600 18px sans-serif">Customer: Ada</h1>
        <iframe id="app" src="${widgetUrl}" style="width:420px;height:420px;border:1px solid #ccc"></iframe>
        <script>
          window.actions = [];
          const frame = document.getElementById("app");
          addEventListener("message", (event) => {
            const action = event.data || {};
            window.actions.push(action);
            if (action.payload && action.payload.actionId) {
              frame.contentWindow.postMessage({ type: "response", payload: { actionId: action.payload.actionId, ok: true } }, "*");
            }
            if (action.type === "notifyReady") {
              frame.contentWindow.postMessage({ type: "handshake", payload: { token: ${JSON.stringify(TOKEN)}, version: 1 } }, "*");
            }
          });
        </script>`,
    }),
  );
  await host.goto("http://dashboard.test/customers/ada");
  const widget = host.frameLocator("#app");
  try {
    await widget.getByText("P(alive)").waitFor({ timeout: 15000 });
  } catch (error) {
    await host.screenshot({ path: join(ARTIFACTS, "dashboard-customer-widget.failed.png") });
    console.error("actions the dashboard got:", JSON.stringify(await host.evaluate(() => window.actions)));
    throw error;
  }
  check((await widget.getByText("Standalone demo").count()) === 0, "inside the dashboard there is no standalone banner");
  await host.waitForFunction(() => window.actions.some((action) => action.type === "widgetResize" && action.payload.height > 0));
  check(true, "the widget tells the dashboard its height");
  await host.screenshot({ path: join(ARTIFACTS, "dashboard-customer-widget.png") });
  console.log("ok - screenshot dashboard-customer-widget.png");
  await widget.getByRole("link", { name: "Open in Lifecycle" }).click();
  const redirect = await host.waitForFunction(() => window.actions.find((action) => action.type === "redirect"));
  const to = (await redirect.jsonValue()).payload.to;
  check(/^\/apps\/app\/app\/customers\/[^/]+$/.test(to), `the widget asks the dashboard to open the customer's app page (${to})`);
  await dashboard.close();

  check(problems.length === 0, `no page errors, console errors or failed requests${problems.length ? `:\n  ${problems.join("\n  ")}` : ""}`);
} catch (error) {
  console.error(error.message);
  if (problems.length) console.error(`also:\n  ${problems.join("\n  ")}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
