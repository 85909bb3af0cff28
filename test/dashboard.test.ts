import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLimiter, slidingWindow } from "@sluice/node";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runWorkers } from "../tools/spawn-workers.js";
import { connectRedis, randomPrefix } from "./support/redis-clients.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const bin = `${root}packages/node/src/bin/sluice.ts`;
/** Debian's `chromium` package; another build through CHROMIUM_PATH. */
const browserPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Where a human can look at what the test saw (outside the work tree, rewritten each run). */
const screenshot = join(tmpdir(), "sluice-dashboard-test.png");

// High enough that the workers never wait, long enough that nothing leaves the window during the test.
const LIMIT = 100_000;
const WINDOW_MS = 120_000;
const limits = [slidingWindow({ limit: LIMIT, window: WINDOW_MS })];
const quotas = ["alpha", "beta"] as const;

const redis = connectRedis();
const url = inject("redisUrl");
const prefix = randomPrefix();
const limiter = createLimiter({ redis, prefix });
let dashboard: ChildProcess;
let browser: Browser;
let page: Page;
let navigations = 0;

/** Starts `sluice dashboard` as its own process and resolves to the URL it prints. */
function startDashboard(): Promise<string> {
  dashboard = spawn(tsx, [bin, "dashboard", "--url", url, "--prefix", prefix, "--interval", "0.2"], { cwd: root });
  let out = "";
  return new Promise((resolve, reject) => {
    dashboard.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const found = /http:\/\/\S+/.exec(out);
      if (found) resolve(found[0]);
    });
    dashboard.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    dashboard.once("exit", (code) => reject(new Error(`sluice dashboard exited with ${code}: ${out}`)));
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; last saw ${String(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const textOf = async (selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? "";

/** Waits until the first element `selector` finds holds `text` (a string: contains it). */
const untilText = (selector: string, text: string): Promise<string> =>
  until(
    () => textOf(selector),
    (shown) => shown.includes(text),
    `"${text}" in ${selector}`,
  );

/** The units used that the page shows for a quota's limit, or -1 while it shows none. */
async function used(quota: string): Promise<number> {
  const cell = page.locator(`section[data-quota="${quota}"] tr[data-limit] td[data-field="used"]`);
  if ((await cell.count()) === 0) return -1;
  const [units, limit] = ((await cell.first().textContent()) ?? "").split("/");
  expect(Number(limit)).toBe(LIMIT);
  return Number(units);
}

const field = (quota: string, name: string): string => `section[data-quota="${quota}"] [data-field="${name}"]`;

beforeAll(async () => {
  if (!existsSync(browserPath)) {
    throw new Error(
      `The dashboard test drives Chromium at ${browserPath}, which is missing: apt-get install -y --no-install-recommends chromium (as root; .ci/run does it), or set CHROMIUM_PATH.`,
    );
  }
  const [pageUrl] = await Promise.all([
    startDashboard(),
    chromium
      .launch({
        executablePath: browserPath,
        // No background traffic: this machine reaches nothing but loopback.
        args: ["--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update"],
      })
      .then((launched) => {
        browser = launched;
      }),
  ]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await page.goto(pageUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dashboard && dashboard.exitCode === null) {
    const exited = new Promise((resolve) => dashboard.once("close", resolve));
    dashboard.kill("SIGINT");
    await exited;
  }
  limiter.close();
  await redis.quit();
});

describe("sluice dashboard in a browser", () => {
  it("shows the quotas worker processes spend, and its figures move as they spend, pushed without a reload", async () => {
    await untilText("#live", "live");
    await untilText("#meta", `prefix "${prefix}"`);

    // Two quotas, two worker processes each, while the page is open.
    const seen = new Set<number>();
    let running = true;
    const spent = Promise.all(
      quotas.map((quota) =>
        runWorkers({ redisUrl: url, prefix, quota, limit: LIMIT, windowMs: WINDOW_MS, durationMs: 2000, workers: 2 }),
      ),
    ).finally(() => {
      running = false;
    });
    const watching = (async () => {
      while (running) {
        seen.add(await used("alpha"));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const reported = (await spent).map((times) => times.flat().length);
    await watching;
    // Moving while they spent: several counts on the way up, not one at the end.
    expect([...seen].filter((units) => units > 0).length).toBeGreaterThanOrEqual(2);

    // Once they are done, each quota shows at least every admission its workers reported.
    for (const [i, quota] of quotas.entries()) {
      await until(
        () => used(quota),
        (units) => units >= (reported[i] ?? 0),
        `${quota}'s admissions on the page`,
      );
      expect(await page.locator(`section[data-quota="${quota}"] .uplot canvas`).first().isVisible()).toBe(true);
      await untilText(field(quota, "arrival"), "margin 25 ms · share 100%");
    }
    expect(await textOf('section[data-quota="alpha"] .u-legend')).toContain("slidingWindow 100000 per 2 min");

    // The test spends, pauses and notes a 429: the page follows.
    const before = await used("alpha");
    const alphaQuota = limiter.quota("alpha", { limits });
    for (let i = 0; i < 3; i++) await alphaQuota.acquire();
    const betaQuota = limiter.quota("beta", { limits });
    await betaQuota.pause("30s");
    await betaQuota.note({ type: "rate-limited", status: 429 });
    await until(
      () => used("alpha"),
      (units) => units === before + 3,
      "alpha's three more units",
    );
    await untilText(field("beta", "pause"), "paused");
    await untilText('section[data-quota="beta"] h3', "429s: 1 noted, newest first");
    expect(await textOf(field("beta", "events"))).toMatch(/ 429$/);

    expect(navigations).toBe(1);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`dashboard screenshot: ${screenshot}`);
  }, 90_000);

  it("stops on Ctrl-C with exit code 0; the page says it lost the stream", async () => {
    const exited = new Promise((resolve) => dashboard.once("close", resolve));
    dashboard.kill("SIGINT");
    expect(await exited).toBe(0);
    await untilText("#live", "reconnecting…");
  });
});
