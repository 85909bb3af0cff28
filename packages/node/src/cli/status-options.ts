import { checkPrefix } from "@sluice/core/adapter";
import { UsageError } from "./usage-error.js";

/** A Cluster seed node; credentials come from a `redis://user:pass@host:port` entry. */
export interface SeedNode {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

/** What every command reads: where from, and the key prefix. */
export interface SourceOptions {
  /** Single-node Redis URL; unused when `cluster` is set. */
  readonly url: string;
  /** Cluster seed nodes, or `undefined` for a single node. */
  readonly cluster: readonly SeedNode[] | undefined;
  readonly prefix: string;
  readonly help: boolean;
}

export interface StatusOptions extends SourceOptions {
  readonly json: boolean;
  /** Seconds between frames, or `undefined` to print once. */
  readonly watchSeconds: number | undefined;
}

/** One argument of a command's own, as `parseArgs` hands it over. */
export interface Arg {
  /** The option, e.g. `--port` (without an inline `=value`). */
  readonly name: string;
  /** Its value, inline or the next argument. @throws UsageError when there is none. */
  value(): string;
  /** For an option that takes no value. @throws UsageError when one was given inline. */
  flag(): true;
  /** Its value inline, else the next argument when it matches `test` (taken), else `undefined`. */
  optionalValue(test: RegExp): string | undefined;
}

const defaults = { url: "redis://127.0.0.1:6379", prefix: "sluice", watchSeconds: 2 } as const;

const SECONDS_MIN = 0.1;
const SECONDS_MAX = 3600;

function seedNode(entry: string): SeedNode {
  const text = entry.trim();
  if (/^rediss?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError("Expected each `--cluster` entry to be host:port or a redis:// URL");
    }
    const port = Number(url.port || 6379);
    return {
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      tls: url.protocol === "rediss:",
    };
  }
  const colon = text.lastIndexOf(":");
  const port = Number(text.slice(colon + 1));
  if (colon <= 0 || !/^\d+$/.test(text.slice(colon + 1)) || port < 1 || port > 65535) {
    throw new UsageError(`Expected each \`--cluster\` entry to be host:port, got \`${text}\``);
  }
  return {
    host: text.slice(0, colon).replace(/^\[|\]$/g, ""),
    port,
    username: undefined,
    password: undefined,
    tls: false,
  };
}

/** A period in seconds, 0.1 to 3600, as `--watch` and `--interval` take it. */
export function secondsArg(option: string, text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds < SECONDS_MIN || seconds > SECONDS_MAX) {
    throw new UsageError(`Expected \`${option}\` to be seconds from ${SECONDS_MIN} to ${SECONDS_MAX}, got \`${text}\``);
  }
  return seconds;
}

/**
 * Reads the options every command takes (`--url <url>`, `--cluster <list>`, `--prefix <p>`,
 * `--help`; values also as `--name=value`) and hands every other argument to `own`, which
 * returns `false` for one it does not know.
 * @throws UsageError naming the argument at fault.
 */
export function parseArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  own: (arg: Arg) => boolean,
): SourceOptions {
  let url: string | undefined;
  let cluster: SeedNode[] | undefined;
  let prefix: string = defaults.prefix;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`\`${name}\` needs a value`);
      i++;
      return next;
    };
    const flag = (): true => {
      if (inline !== undefined) throw new UsageError(`\`${name}\` takes no value`);
      return true;
    };
    const optionalValue = (test: RegExp): string | undefined => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || !test.test(next)) return undefined;
      i++;
      return next;
    };
    switch (name) {
      case "--url":
        url = value();
        if (!/^rediss?:\/\//i.test(url)) throw new UsageError("Expected `--url` to be a redis:// or rediss:// URL");
        break;
      case "--cluster":
        cluster = value()
          .split(",")
          .filter((entry) => entry.trim() !== "")
          .map(seedNode);
        if (cluster.length === 0) throw new UsageError("Expected `--cluster` to list at least one host:port");
        break;
      case "--prefix":
        try {
          prefix = checkPrefix(value());
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        break;
      case "-h":
      case "--help":
        help = flag();
        break;
      default:
        if (!own({ name, value, flag, optionalValue })) throw new UsageError(`Unknown argument \`${arg}\``);
    }
  }
  if (url !== undefined && cluster !== undefined) throw new UsageError("Pass `--url` or `--cluster`, not both");
  return { url: url ?? (env.REDIS_URL || defaults.url), cluster, prefix, help };
}

/**
 * Parses the arguments after `status`: those of `parseArgs`, `--json` and `--watch [seconds]`.
 * @throws UsageError naming the argument at fault.
 */
export function parseStatusArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StatusOptions {
  let json = false;
  let watch: number | undefined;
  const source = parseArgs(args, env, (arg) => {
    switch (arg.name) {
      case "--json":
        json = arg.flag();
        return true;
      case "--watch": {
        const text = arg.optionalValue(/^\d/);
        watch = text === undefined ? defaults.watchSeconds : secondsArg("--watch", text);
        return true;
      }
      default:
        return false;
    }
  });
  return { ...source, json, watchSeconds: watch };
}
