import { parseArgs, type SourceOptions, secondsArg } from "../status-options.js";
import { UsageError } from "../usage-error.js";

export interface DashboardOptions extends SourceOptions {
  /** Address to listen on. @default "127.0.0.1" (loopback: only this machine can open the page) */
  readonly host: string;
  /** TCP port, 0 to 65535; 0 picks a free one. @default 0 */
  readonly port: number;
  /** Seconds between reads of Redis, shared by every open page. Minimum 0.1. @default 1 */
  readonly intervalSeconds: number;
}

const defaults = { host: "127.0.0.1", port: 0, intervalSeconds: 1 } as const;

function portArg(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`Expected \`--port\` to be an integer from 0 to 65535, got \`${text}\``);
  }
  return port;
}

/**
 * Parses the arguments after `dashboard`: those of `parseArgs`, `--host <address>`,
 * `--port <port>` and `--interval <seconds>`.
 * @throws UsageError naming the argument at fault.
 */
export function parseDashboardArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DashboardOptions {
  let host: string = defaults.host;
  let port: number = defaults.port;
  let intervalSeconds: number = defaults.intervalSeconds;
  const source = parseArgs(args, env, (arg) => {
    switch (arg.name) {
      case "--host":
        host = arg.value().replace(/^\[|\]$/g, "");
        if (host === "") throw new UsageError("Expected `--host` to be an address, got ``");
        return true;
      case "--port":
        port = portArg(arg.value());
        return true;
      case "--interval":
        intervalSeconds = secondsArg("--interval", arg.value());
        return true;
      default:
        return false;
    }
  });
  return { ...source, host, port, intervalSeconds };
}
