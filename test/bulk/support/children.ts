import { type ChildProcess, spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * A child running a script under test/bulk/support, from the repository root, as
 * `node --import tsx`: the `tsx` command would run the script in a grandchild process that a
 * SIGKILL sent to the child never reaches.
 */
export class Child {
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly process: ChildProcess) {
    process.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
    });
    process.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-8000);
    });
    this.exited = new Promise((resolve) => process.once("exit", (code, signal) => resolve({ code, signal })));
  }

  static spawn(script: string, env: Record<string, string>, nodeArgs: string[] = []): Child {
    const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
    return new Child(
      spawn(process.execPath, ["--import", "tsx", ...nodeArgs, path], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
  }

  /** The last stdout line, parsed. */
  json<T>(): T {
    const lines = this.stdout.trim().split("\n");
    return JSON.parse(lines[lines.length - 1] ?? "null") as T;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
  }
}

/**
 * Resolves once `path` holds at least `count` complete lines, reading only what was appended
 * since the last look (every 5 ms). Rejects if `child` exits first or after `timeoutMs`.
 */
export async function waitForLines(path: string, count: number, child: Child, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  let offset = 0;
  let lines = 0;
  const buffer = Buffer.alloc(1 << 20);
  for (;;) {
    const handle = await open(path, "r").catch(() => undefined);
    if (handle) {
      try {
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          for (let i = 0; i < bytesRead; i++) if (buffer[i] === 0x0a) lines++;
        }
      } finally {
        await handle.close();
      }
    }
    if (lines >= count) return;
    if (exited) throw new Error(`the child exited after ${lines} lines: ${child.stderr}`);
    if (performance.now() > deadline) throw new Error(`only ${lines} of ${count} lines after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
