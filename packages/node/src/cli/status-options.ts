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

export interface StatusOptions {
  /** Single-node Redis URL; unused when `cluster` is set. */
  readonly url: string;
  /** Cluster seed nodes, or `undefined` for a single node. */
  readonly cluster: readonly SeedNode[] | undefined;
  readonly prefix: string;
  readonly json: boolean;
  /** Seconds between frames, or `undefined` to print once. */
  readonly watchSeconds: number | undefined;
  readonly help: boolean;
}

const defaults = { url: "redis://127.0.0.1:6379", prefix: "sluice", watchSeconds: 2 } as const;

const WATCH_MIN_S = 0.1;
const WATCH_MAX_S = 3600;

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

function watchSeconds(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds < WATCH_MIN_S || seconds > WATCH_MAX_S) {
    throw new UsageError(`Expected \`--watch\` to be seconds from ${WATCH_MIN_S} to ${WATCH_MAX_S}, got \`${text}\``);
  }
  return seconds;
}

/**
 * Parses the arguments after `status`: `--url <url>`, `--cluster <list>`, `--prefix <p>`,
 * `--json`, `--watch [seconds]`, `--help` (values also as `--name=value`).
 * @throws UsageError naming the argument at fault.
 */
export function parseStatusArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StatusOptions {
  let url: string | undefined;
  let cluster: SeedNode[] | undefined;
  let prefix: string = defaults.prefix;
  let json = false;
  let watch: number | undefined;
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
      case "--json":
        json = flag();
        break;
      case "--watch": {
        const next = args[i + 1];
        if (inline !== undefined) watch = watchSeconds(inline);
        else if (next !== undefined && /^\d/.test(next)) {
          watch = watchSeconds(next);
          i++;
        } else watch = defaults.watchSeconds;
        break;
      }
      case "-h":
      case "--help":
        help = flag();
        break;
      default:
        throw new UsageError(`Unknown argument \`${arg}\``);
    }
  }
  if (url !== undefined && cluster !== undefined) throw new UsageError("Pass `--url` or `--cluster`, not both");
  return {
    url: url ?? (env.REDIS_URL || defaults.url),
    cluster,
    prefix,
    json,
    watchSeconds: watch,
    help,
  };
}
