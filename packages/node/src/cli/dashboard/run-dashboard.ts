import type { StatusIo } from "../run-status.js";
import type { DashboardOptions } from "./dashboard-options.js";
import { type StartedDashboard, startDashboard } from "./start-dashboard.js";

const stopped = (stop: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (stop.aborted) resolve();
    else stop.addEventListener("abort", () => resolve(), { once: true });
  });

/**
 * `sluice dashboard`: serves the page and prints its URL, until `stop` aborts. Resolves to the
 * exit code: 0, or 1 when it could not listen. A failed read goes to stderr when reads start
 * failing (passwords masked) and is shown on the page; reading goes on.
 */
export async function runDashboard(options: DashboardOptions, io: StatusIo): Promise<number> {
  let dashboard: StartedDashboard;
  try {
    dashboard = await startDashboard(options, io.secrets);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`sluice dashboard: could not serve on ${options.host}:${options.port}: ${message}\n`);
    return 1;
  }
  io.stdout.write(
    `sluice dashboard · prefix ${JSON.stringify(options.prefix)} · read every ${options.intervalSeconds} s\n${dashboard.url}\nCtrl-C to stop\n`,
  );
  let shown: string | null = null;
  const unsubscribe = dashboard.feed.subscribe((message) => {
    const problem = message.type === "problem" ? message.message : null;
    if (problem === shown) return;
    io.stderr.write(problem === null ? "sluice dashboard: reading again\n" : `sluice dashboard: ${problem}\n`);
    shown = problem;
  });
  await stopped(io.stop);
  unsubscribe();
  await dashboard.close();
  return 0;
}
