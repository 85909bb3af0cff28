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
 * The `sluice` command line: `sluice status [options]`, `sluice --help`. Resolves to the exit
 * code: 0 done, 1 Redis could not be read, 2 bad arguments. Nothing it prints holds a password.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const secrets = secretsIn(argv, io.env);
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout.write(helpText);
    return 0;
  }
  if (command !== "status") {
    const problem = command === undefined ? "Missing command" : `Unknown command \`${command}\``;
    io.stderr.write(`${maskSecrets(problem, secrets)}\n\n${helpText}`);
    return 2;
  }
  try {
    const options = parseStatusArgs(rest, io.env);
    if (options.help) {
      io.stdout.write(helpText);
      return 0;
    }
    return await runStatus(options, { stdout: io.stdout, stderr: io.stderr, stop: io.stop, secrets });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`sluice status: ${maskSecrets(message, secrets)}\n`);
    return isUsageError(error) ? 2 : 1;
  }
}
