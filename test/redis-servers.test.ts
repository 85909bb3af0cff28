import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isRunning } from "./support/processes.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const starter = fileURLToPath(new URL("./support/redis-starter.ts", import.meta.url));

describe("tools/redis-servers.ts", () => {
  it("a started redis-server and its temp folder do not outlive their starter, even one killed with SIGKILL", async () => {
    // Node with tsx's loader, not the tsx command: that one runs the script in a child process of
    // its own, which the SIGKILL would not reach.
    const child = spawn(process.execPath, ["--import", "tsx", starter], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once("exit", (_code, signal) => resolve(signal)),
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once("line", resolve);
        void exited.then(() => reject(new Error(`the starter exited before printing its server:\n${stderr}`)));
      });
      const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
      expect(isRunning(pid)).toBe(true);
      expect(existsSync(dir)).toBe(true);

      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
      // The watchdog stops the server at once; 10 s leaves room for a busy machine.
      await expect.poll(() => isRunning(pid), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => existsSync(dir), { timeout: 10_000 }).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
