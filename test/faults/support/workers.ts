import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { spawnScript } from "../../../tools/spawn-script.js";

const script = fileURLToPath(new URL("./fault-worker.ts", import.meta.url));

/** A running test/faults/support/fault-worker.ts and the JSON lines it printed so far. */
export class Worker {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters: Array<{ test: (line: Record<string, unknown>) => boolean; resolve: () => void }> = [];
  stderr = "";

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout as NonNullable<ChildProcess["stdout"]> }).on("line", (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      this.lines.push(line);
      for (const waiter of [...this.#waiters]) {
        if (waiter.test(line)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  static spawn(env: Record<string, string>): Worker {
    return new Worker(spawnScript(script, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] }));
  }

  /** Resolves with the first line (already printed or to come) that passes `test`. */
  async line(test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const seen = this.lines.find(test);
    if (seen) return seen;
    await Promise.race([
      new Promise<void>((resolve) => this.#waiters.push({ test, resolve })),
      this.exited.then(({ code, signal }) => {
        throw new Error(`worker exited (${code ?? signal}) before the line: ${this.stderr}`);
      }),
    ]);
    return this.lines.find(test) as Record<string, unknown>;
  }

  go(): void {
    this.child.stdin?.write("go\n");
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
