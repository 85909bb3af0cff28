// The root `sluice` script as the docs give it. `pnpm run` prints a `> pkg@ script` banner on
// stdout unless silenced, so the documented `pnpm -s sluice status --json` must print the JSON
// document alone: a script change that writes anything else to stdout breaks `| jq`.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { randomPrefix } from "./support/redis-clients.js";

const root = fileURLToPath(new URL("..", import.meta.url));

function pnpm(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("pnpm", [...args], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}

describe("pnpm -s sluice status --json", () => {
  it("prints one JSON document on stdout and nothing else", async () => {
    const { code, stdout, stderr } = await pnpm([
      "-s",
      "sluice",
      "status",
      "--json",
      "--url",
      inject("redisUrl"),
      "--prefix",
      randomPrefix(),
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ quotas: [] });
  });
});
