import { checkPrefix, parseRuleId, type RuleSpec, ruleKindOf } from "@sluice/core/adapter";
import type { Cluster, Redis } from "ioredis";
import { arrivalStatus } from "./arrival-status.js";
import { describeRule } from "./describe-rule.js";
import { parseQuotaKey, type QuotaKey, scanPattern } from "./quota-key.js";
import { rateLimitedEvents } from "./rate-limited-events.js";
import { scanKeys } from "./scan-keys.js";
import type { ArrivalReport, LimitReport, OtherKey, PauseReport, QuotaReport, StatusReport } from "./status-report.js";

export interface ReadStatusOptions {
  /** Key prefix the quotas live under, as given to `createLimiter`. @default "sluice" */
  readonly prefix?: string;
  /** How many of each quota's newest `rate-limited` events to include. Minimum 0. @default 5 */
  readonly events?: number;
}

const defaults = { prefix: "sluice", events: 5 } as const;

/** Events kept per quota by `Quota.note` are 50; a longer list is read only this far. */
const EVENTS_READ = 200;

interface Found {
  name: string;
  limits: LimitReport[];
  pause: PauseReport | null;
  arrival: ArrivalReport | null;
  events: string[];
  otherKeys: OtherKey[];
}

type Plan =
  | { readonly what: "limit"; readonly id: string; readonly spec: RuleSpec }
  | { readonly what: "pause" }
  | { readonly what: "arrival" }
  | { readonly what: "events" }
  | { readonly what: "bookkeeping" }
  | { readonly what: "other" };

const planOf = (suffix: string): Plan => {
  if (suffix === "pause") return { what: "pause" };
  if (suffix === "arrival") return { what: "arrival" };
  if (suffix === "events") return { what: "events" };
  // A remembered reply (`call:<id>`) or cancel mark (`cancel:<id>`): a resend guard, not quota state.
  if (suffix.startsWith("call:") || suffix.startsWith("cancel:")) return { what: "bookkeeping" };
  const spec = parseRuleId(suffix);
  return spec ? { what: "limit", id: suffix, spec } : { what: "other" };
};

/** The Redis type of each key that is not a limit's (a limit's kind knows its own: `RuleKind.read`). */
const expectedTypes = (plan: Plan): readonly string[] =>
  plan.what === "pause" ? ["string"] : plan.what === "events" ? ["list"] : plan.what === "arrival" ? ["hash"] : [];

/** The results of a pipeline, an error reply (a key moved or gone meanwhile) as `undefined`. */
const results = (replies: Array<[Error | null, unknown]> | null): unknown[] =>
  (replies ?? []).map(([error, value]) => (error ? undefined : value));

const microsOf = (time: unknown): number => {
  const [seconds, micros] = Array.isArray(time) ? time : [];
  const now = Number(seconds) * 1_000_000 + Number(micros);
  if (!Number.isSafeInteger(now)) throw new Error("Redis TIME gave no usable answer");
  return now;
};

/**
 * Reads one node: SCAN, then TIME and TYPE of every key, then the state of each key by its
 * type (GET, ZCOUNT, HGETALL, LRANGE; a limit's as its kind describes). Reads only; nothing
 * here writes or runs a script.
 */
async function readNode(node: Redis, prefix: string, found: Map<string, Found>): Promise<number> {
  const keys: Array<QuotaKey & { plan: Exclude<Plan, { what: "bookkeeping" }> }> = [];
  for (const key of await scanKeys(node, scanPattern(prefix))) {
    const parsed = parseQuotaKey(key, prefix);
    if (parsed === undefined) continue;
    const plan = planOf(parsed.suffix);
    if (plan.what !== "bookkeeping") keys.push({ ...parsed, plan });
  }
  const first = node.pipeline().time();
  for (const { key } of keys) first.type(key);
  const [time, ...types] = results(await first.exec());
  const nowUs = microsOf(time);

  const second = node.pipeline();
  // Each read queues its commands on the pipeline and takes its replies back in order.
  const pending: Array<{ from: number; count: number; apply: (values: unknown[]) => void }> = [];
  let queued = 0;
  const read = (count: number, apply: (values: unknown[]) => void): void => {
    pending.push({ from: queued, count, apply });
    queued += count;
  };
  keys.forEach(({ key, tag, name, suffix, plan }, i) => {
    const type = types[i];
    if (typeof type !== "string" || type === "none") return;
    let quota = found.get(tag);
    if (quota === undefined) {
      quota = { name, limits: [], pause: null, arrival: null, events: [], otherKeys: [] };
      found.set(tag, quota);
    }
    const into = quota;
    if (plan.what === "limit") {
      const { spec, id } = plan;
      const reading = ruleKindOf(spec).read(spec, type, nowUs);
      if (reading === undefined) {
        into.otherKeys.push({ suffix, type });
        return;
      }
      for (const [command, ...args] of reading.commands) second.call(command, key, ...args);
      read(reading.commands.length, (replies) => {
        const usage = reading.usage(replies);
        if (usage) into.limits.push({ id, rule: spec, description: describeRule(spec), ...usage });
      });
      return;
    }
    if (plan.what === "other" || !expectedTypes(plan).includes(type)) {
      into.otherKeys.push({ suffix, type });
      return;
    }
    if (plan.what === "pause") {
      second.get(key);
      read(1, ([value]) => {
        const untilUs = Number(value);
        if (Number.isFinite(untilUs) && untilUs > nowUs) {
          into.pause = { until: Math.floor(untilUs / 1000), remainingMs: Math.ceil((untilUs - nowUs) / 1000) };
        }
      });
      return;
    }
    if (plan.what === "arrival") {
      second.hgetall(key);
      read(1, ([hash]) => {
        // An empty hash: the key expired after TYPE saw it.
        if (typeof hash !== "object" || hash === null || Object.keys(hash).length === 0) return;
        const arrival = arrivalStatus(hash as Record<string, string>);
        if (arrival) into.arrival = arrival;
        else into.otherKeys.push({ suffix, type });
      });
      return;
    }
    if (plan.what === "events") {
      second.lrange(key, 0, EVENTS_READ - 1);
      read(1, ([list]) => {
        if (Array.isArray(list)) into.events.push(...list.map(String));
      });
    }
  });
  if (queued > 0) {
    const replies = results(await second.exec());
    for (const { from, count, apply } of pending) apply(replies.slice(from, from + count));
  }
  return nowUs;
}

async function mastersOf(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status === "wait") await cluster.connect();
  if (cluster.status !== "ready") {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        cluster.off("ready", done);
        cluster.off("error", done);
        if (error) reject(error);
        else resolve();
      };
      cluster.once("ready", done);
      cluster.once("error", done);
    });
  }
  return cluster.nodes("master");
}

/**
 * Reads every quota under a prefix, on a single Redis or every master of a Cluster, and
 * computes each limit's use from its raw state and Redis TIME. Reads only (SCAN, TIME, TYPE,
 * GET, ZCOUNT, HGETALL, LRANGE): never runs a script, never writes.
 * @example
 * const report = await readStatus(new Redis(process.env.REDIS_URL), { prefix: "sluice" });
 * for (const quota of report.quotas) console.log(quota.name, quota.limits.map((l) => l.used));
 */
export async function readStatus(redis: Redis | Cluster, options: ReadStatusOptions = {}): Promise<StatusReport> {
  const prefix = checkPrefix(options.prefix ?? defaults.prefix);
  const events = options.events ?? defaults.events;
  if (!Number.isInteger(events) || events < 0) {
    throw new TypeError(`Expected \`events\` to be an integer >= 0, got \`${String(events)}\` (${typeof events})`);
  }
  const nodes = redis.isCluster ? await mastersOf(redis as Cluster) : [redis as Redis];
  const found = new Map<string, Found>();
  const times = await Promise.all(nodes.map((node) => readNode(node, prefix, found)));
  const quotas: QuotaReport[] = [...found.values()]
    .map((quota) => ({
      name: quota.name,
      limits: quota.limits.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      pause: quota.pause,
      arrival: quota.arrival,
      rateLimited: rateLimitedEvents(quota.events, events),
      otherKeys: quota.otherKeys,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { prefix, redisTime: Math.floor((times[0] ?? 0) / 1000), quotas };
}
