import type { Output } from "./output.js";
import { targetLabel } from "./redis-connection.js";
import { renderTable } from "./render-table.js";
import type { StatusOptions } from "./status-options.js";
import { readFailure, StatusSource } from "./status-source.js";

export interface StatusIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Aborted on SIGINT/SIGTERM: a watch ends (exit 0), a read in flight is cut short. */
  readonly stop: AbortSignal;
  /** Passwords to scrub from every message. */
  readonly secrets: readonly string[];
}

const CLEAR_SCREEN = "\x1b[H\x1b[2J";

const waitFor = (ms: number, stop: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener("abort", done, { once: true });
  });

/**
 * `sluice status`: prints the status once, or with `watchSeconds` every N seconds until `stop`
 * aborts. Resolves to the exit code: 0, or 1 when a single read failed (the message, passwords
 * masked, goes to stderr). While watching, a failed read is shown and retried on the next frame.
 */
export async function runStatus(options: StatusOptions, io: StatusIo): Promise<number> {
  const target = targetLabel(options);
  const source = new StatusSource(options);
  const describe = (error: unknown): string => readFailure(error, target, io.secrets);
  const onStop = () => source.close();
  io.stop.addEventListener("abort", onStop, { once: true });
  try {
    if (options.watchSeconds === undefined) {
      try {
        const report = await source.read();
        io.stdout.write(
          options.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : renderTable(report, { target, watchSeconds: undefined }),
        );
        return 0;
      } catch (error) {
        if (io.stop.aborted) return 0;
        io.stderr.write(`sluice status: ${describe(error)}\n`);
        return 1;
      }
    }
    const context = { target, watchSeconds: options.watchSeconds };
    for (let frame = 0; !io.stop.aborted; frame++) {
      let text: string;
      try {
        const report = await source.read();
        text = options.json ? `${JSON.stringify(report)}\n` : renderTable(report, context);
      } catch (error) {
        if (io.stop.aborted) break;
        if (options.json) {
          io.stderr.write(`sluice status: ${describe(error)}\n`);
          text = "";
        } else {
          text = `sluice status · ${target} · ${new Date().toISOString()}\n\n${describe(error)}\n`;
        }
      }
      if (options.json || text === "") io.stdout.write(text);
      else io.stdout.write(io.stdout.isTTY ? `${CLEAR_SCREEN}${text}` : `${frame > 0 ? "\n" : ""}${text}`);
      await waitFor(options.watchSeconds * 1000, io.stop);
    }
    return 0;
  } finally {
    io.stop.removeEventListener("abort", onStop);
    source.close();
  }
}
