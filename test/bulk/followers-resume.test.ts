import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { type MockApi, pageCount, startMockApi } from "../../examples/hikerapi-followers/mock-api.js";
import { randomPrefix } from "../support/redis-clients.js";
import { Child, waitForLines } from "./support/children.js";
import { type OutputLine, readLines, writtenRequests } from "./support/ndjson.js";

// The hikerapi followers job in a child process (tsx), through a Redis token bucket, against
// the local mock API. The child is killed (SIGKILL) or stopped (SIGTERM) once the output has
// a given number of lines, then run again to completion.
const USERS = 2000;
const FAILING = "u1234";
const CONCURRENCY = 16;

interface Summary {
  done: number;
  skipped: number;
  failed: number;
  skippedFailed: number;
  pages: number;
  requests: number;
  interrupted: boolean;
  repairedBytes: number;
}

let api: MockApi | undefined;
let dir: string | undefined;
afterEach(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function setUp(users: number): Promise<{ output: string; failures: string; env: Record<string, string> }> {
  api = await startMockApi({ limitPerSecond: 2500, maxFollowers: 40, failing: [FAILING], latencyMs: [1, 5] });
  dir = await mkdtemp(join(tmpdir(), "sluice-bulk-"));
  const output = join(dir, "followers.ndjson");
  const env = {
    API_URL: api.url,
    REDIS_URL: inject("redisUrl"),
    PREFIX: randomPrefix(),
    OUTPUT: output,
    USERS: String(users),
    RATE: "2000",
    CONCURRENCY: String(CONCURRENCY),
    RETRIES: "2",
  };
  return { output, failures: join(dir, "followers.failures.ndjson"), env };
}

async function runToEnd(env: Record<string, string>): Promise<Summary> {
  const child = Child.spawn("followers-worker.ts", env);
  const { code } = await child.exited;
  expect(code, child.stderr).toBe(0);
  return child.json<Summary>();
}

/** Every user but the failing one has exactly one terminal line and all its pages, each once. */
function expectComplete(lines: readonly OutputLine[], users: number): void {
  const terminal = new Map<string, number>();
  const pages = new Map<string, number[]>();
  for (const line of lines) {
    if (line.done) terminal.set(line.key, (terminal.get(line.key) ?? 0) + 1);
    if (line.page !== undefined) pages.set(line.key, [...(pages.get(line.key) ?? []), line.page]);
  }
  for (let i = 0; i < users; i++) {
    const key = `u${i}`;
    if (key === FAILING) {
      expect(terminal.get(key)).toBeUndefined();
      continue;
    }
    expect(terminal.get(key), key).toBe(1);
    expect(pages.get(key), key).toEqual(Array.from({ length: pageCount(key, 25, 40) }, (_, page) => page));
  }
  expect(terminal.size).toBe(users > 1234 ? users - 1 : users);
}

describe("a bulk run killed with SIGKILL", () => {
  it("resumes with one terminal line per item, no duplicate page, and no written page fetched again", async () => {
    const { output, failures: failuresPath, env } = await setUp(USERS);
    const first = Child.spawn("followers-worker.ts", env);
    await waitForLines(output, 1000, first);
    first.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    // Each started user writes a line, so the killed run (about 1,000 lines, 16 in flight) never
    // reached the failing user: no failure, so no failures file. The resume creates it.
    expect(existsSync(failuresPath)).toBe(false);

    const known = api?.requests.length ?? 0;
    const beforeResume = await readLines(output);
    const written = writtenRequests(beforeResume);
    const fetchedFirst = new Set(api?.requests.filter((r) => r.status === 200).map((r) => `${r.userId}|${r.pageId}`));

    const summary = await runToEnd(env);
    const lines = await readLines(output);
    expectComplete(lines, USERS);
    expect((await readFile(output, "utf8")).endsWith("\n")).toBe(true);

    const resumed = api?.requests.slice(known) ?? [];
    const refetchedWritten = resumed.filter((r) => written.has(`${r.userId}|${r.pageId}`));
    const respent = resumed.filter((r) => r.status === 200 && fetchedFirst.has(`${r.userId}|${r.pageId}`));
    const failures = await readLines<{ key: string; reason: string; attempts: number }>(failuresPath);
    console.info(
      `[bulk] SIGKILL after ${beforeResume.length} lines (${written.size} pages written, ${summary.repairedBytes} bytes of a cut line repaired); ` +
        `resume: ${summary.done} done, ${summary.skipped} skipped, ${summary.pages} pages, ${resumed.length} requests; ` +
        `written pages fetched again: ${refetchedWritten.length}; requests re-spent on pages in flight at the kill: ${respent.length}; ` +
        `429s over both runs: ${api?.requests.filter((r) => r.status === 429).length}`,
    );
    expect(refetchedWritten).toEqual([]);
    expect(respent.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(summary.skipped + summary.done + summary.failed + summary.skippedFailed).toBe(USERS);
    expect(failures).toEqual([expect.objectContaining({ key: FAILING, reason: "HTTP 500", attempts: 3 })]);
  }, 40_000);
});

describe("a bulk run stopped with SIGTERM (handleSignals)", () => {
  it("exits 0 with complete lines, wastes no request, and resumes to completion", async () => {
    const { output, failures, env } = await setUp(400);
    const child = Child.spawn("followers-worker.ts", { ...env, HANDLE_SIGNALS: "1" });
    await waitForLines(output, 200, child);
    child.kill("SIGTERM");
    const { code, signal } = await child.exited;
    expect({ code, signal }, child.stderr).toEqual({ code: 0, signal: null });
    const stopped = child.json<Summary>();
    expect(stopped.interrupted).toBe(true);
    expect(child.stderr).toContain("Run the same command again to resume");
    const text = await readFile(output, "utf8");
    expect(text.endsWith("\n")).toBe(true);

    const written = writtenRequests(await readLines(output));
    const wasted = api?.requests.filter((r) => r.status === 200 && !written.has(`${r.userId}|${r.pageId}`)) ?? [];
    const known = api?.requests.length ?? 0;
    const summary = await runToEnd(env);
    console.info(
      `[bulk] SIGTERM after ${stopped.pages} pages: ${wasted.length} fetched pages not written; resume: ${summary.pages} pages, ${(api?.requests.length ?? 0) - known} requests`,
    );
    expect(wasted).toEqual([]);
    expect(summary.repairedBytes).toBe(0);
    expectComplete(await readLines(output), 400);
    expect(existsSync(failures), "no user failed, so no failures file").toBe(false);
  }, 30_000);
});
