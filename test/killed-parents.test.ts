import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isRunning } from "./support/processes.js";

// The demo, the example and a test run start redis-servers of their own (tools/redis-servers.ts)
// when no Redis answers. Killed with SIGKILL, with their whole process group as `timeout -s KILL`
// or a closed terminal does, they must leave no server and no temp folder behind.
const root = fileURLToPath(new URL("..", import.meta.url));
const linux = existsSync("/proc/self/stat");
const scratch = mkdtempSync(join(tmpdir(), "sluice-killed-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly args: string[];
}

function processes(): Proc[] {
  const found: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // the command name may hold spaces and parentheses: the fields after it are plain
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      found.push({ pid: Number(entry), ppid, args });
    } catch {
      // ended while listed
    }
  }
  return found;
}

/** The servers started under `rootPid`: each watchdog's pid, its server's pid and temp folder. */
function serversUnder(rootPid: number): Array<{ watchdog: number; server: number | undefined; dir: string }> {
  const all = processes();
  const parentOf = new Map(all.map((p) => [p.pid, p.ppid]));
  const under = (pid: number): boolean => {
    for (let at = parentOf.get(pid); at !== undefined && at > 1; at = parentOf.get(at)) if (at === rootPid) return true;
    return false;
  };
  return all
    .filter((p) => p.args.some((arg) => arg.endsWith("redis-watchdog.mjs")) && under(p.pid))
    .map((p) => {
      const at = p.args.findIndex((arg) => arg.endsWith("redis-watchdog.mjs"));
      const server = all.find((child) => child.ppid === p.pid && child.args[0]?.includes("redis-server"));
      return { watchdog: p.pid, server: server?.pid, dir: p.args[at + 1] as string };
    });
}

/** The environment of a child that finds no Redis: nothing listens on port 1. */
function withoutRedis(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: "redis://127.0.0.1:1",
    OUTPUT: join(scratch, "followers.ndjson"),
  };
  delete env.REDIS_CLUSTER_NODES;
  return env;
}

/** The environment of a test run whose setup starts servers of its own. */
function testRunWithoutRedis(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.REDIS_URL;
  delete env.REDIS_CLUSTER_NODES;
  return env;
}

const targets: Array<[string, string[], NodeJS.ProcessEnv, number]> = [
  ["pnpm demo", ["--import", "tsx", "scripts/demo.ts"], withoutRedis(), 1],
  ["the hikerapi example", ["--import", "tsx", "examples/hikerapi-followers/run.ts"], withoutRedis(), 1],
  // a test run starts one Redis and a 3-master Cluster in its global setup, and this file one
  // server of its own (a fault test's, which it kills and restarts)
  [
    "a test run",
    ["node_modules/vitest/vitest.mjs", "run", "test/faults/resend.test.ts", "--project", "integration"],
    testRunWithoutRedis(),
    5,
  ],
];

describe.skipIf(!linux)("a parent killed with SIGKILL leaves no redis-server behind (reads /proc)", () => {
  it.each(targets)("%s", async (_, args, env, count) => {
    // Node with tsx's loader, not the tsx command (which runs a child of its own); its own
    // process group, killed whole.
    const child = spawn(process.execPath, args, {
      cwd: root,
      detached: true,
      stdio: "ignore",
      env,
    });
    const pid = child.pid as number;
    try {
      // Until every server it starts is up (120 s: a test run builds a Cluster on a busy machine).
      await expect
        .poll(() => serversUnder(pid).filter((s) => s.server !== undefined).length, {
          timeout: 120_000,
          interval: 100,
        })
        .toBeGreaterThanOrEqual(count);
      const servers = serversUnder(pid);
      for (const { server, dir } of servers) {
        expect(isRunning(server as number)).toBe(true);
        expect(existsSync(dir)).toBe(true);
      }
      process.kill(-pid, "SIGKILL");
      // The watchdogs stop their servers at once; 15 s leaves room for a busy machine.
      for (const { watchdog, server, dir } of servers) {
        await expect.poll(() => isRunning(server as number), { timeout: 15_000 }).toBe(false);
        await expect.poll(() => isRunning(watchdog), { timeout: 15_000 }).toBe(false);
        expect(existsSync(dir)).toBe(false);
      }
    } finally {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
});
