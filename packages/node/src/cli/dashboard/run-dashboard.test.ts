import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { parseDashboardArgs } from "./dashboard-options.js";
import { runDashboard } from "./run-dashboard.js";

function capture() {
  const out = { stdout: "", stderr: "" };
  const stop = new AbortController();
  const io = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    stop: stop.signal,
    secrets: ["hunter2"],
  };
  return { out, stop, io };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("runDashboard", () => {
  it("prints the URL, says once that reads fail (password masked), and exits 0 when stopped", async () => {
    const { out, stop, io } = capture();
    // Nothing listens on port 1: every read is refused.
    const options = parseDashboardArgs(["--url", "redis://:hunter2@127.0.0.1:1", "--interval", "0.1"], {});
    const code = runDashboard(options, io);
    await until(() => out.stdout.includes("http://") && out.stderr !== "", "the URL and the first failure");
    // Several reads fail meanwhile; stderr hears of it once.
    await new Promise((resolve) => setTimeout(resolve, 400));
    stop.abort();
    expect(await code).toBe(0);
    expect(out.stdout).toMatch(
      /^sluice dashboard · prefix "sluice" · read every 0\.1 s\nhttp:\/\/127\.0\.0\.1:\d+\/\n/,
    );
    expect(out.stderr).toBe(
      "sluice dashboard: Could not read the status from redis://:***@127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1. Check `--url` or `--cluster`, and that Redis is up.\n",
    );
  });

  it("exits 1 with the reason when it cannot listen", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    const { out, io } = capture();
    try {
      const options = parseDashboardArgs(["--url", "redis://127.0.0.1:1", "--port", String(port)], {});
      expect(await runDashboard(options, io)).toBe(1);
    } finally {
      taken.close();
    }
    expect(out.stderr).toContain(`sluice dashboard: could not serve on 127.0.0.1:${port}: listen EADDRINUSE`);
    expect(out.stdout).toBe("");
  });
});
