import { parseDashboardArgs } from "./dashboard/dashboard-options.js";
import { runDashboard } from "./dashboard/run-dashboard.js";
import { helpText } from "./help-text.js";
import { maskSecrets, secretsIn } from "./mask-secrets.js";
import type { Output } from "./output.js";
import { runStatus } from "./run-status.js";
import { parseStatusArgs } from "./status-options.js";
import { isUsageError } from "./usage-error.js";

export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM. */
  readonly stop: AbortSignal;
}

/**
 * The `sluice` command line: `sluice status [options]`, `sluice dashboard [options]`,
 * `sluice --help`. Resolves to the exit code: 0 done, 1 Redis could not be read (or the dashboard
 * could not listen), 2 bad arguments. Nothing it prints holds a password.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const secrets = secretsIn(argv, io.env);
  const [command, ...rest] = argv;
  const printHelp = (): number => {
    io.stdout.write(helpText);
    return 0;
  };
  if (command === "--help" || command === "-h" || command === "help") return printHelp();
  if (command !== "status" && command !== "dashboard") {
    const problem = command === undefined ? "Missing command" : `Unknown command \`${command}\``;
    io.stderr.write(`${maskSecrets(problem, secrets)}\n\n${helpText}`);
    return 2;
  }
  const statusIo = { stdout: io.stdout, stderr: io.stderr, stop: io.stop, secrets };
  try {
    if (command === "status") {
      const options = parseStatusArgs(rest, io.env);
      return options.help ? printHelp() : await runStatus(options, statusIo);
    }
    const options = parseDashboardArgs(rest, io.env);
    return options.help ? printHelp() : await runDashboard(options, statusIo);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`sluice ${command}: ${maskSecrets(message, secrets)}\n`);
    return isUsageError(error) ? 2 : 1;
  }
}
