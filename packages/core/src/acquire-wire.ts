import type { Rule } from "./rules/rule.js";
import type { QuotaKeys, StoreAcquire, StoreDecision, StoreRequest } from "./store.js";

const wires = new WeakMap<Rule, string>();

/** A rule's wire form as one string, made once per rule object. */
function wireOf(rule: Rule): string {
  let wire = wires.get(rule);
  if (wire === undefined) {
    wire = rule.wire.join(":");
    wires.set(rule, wire);
  }
  return wire;
}

/** Whether two requests can share a run: the same cost, maxWait and headroomPerMille. */
export const sameTerms = (a: StoreRequest, b: StoreRequest): boolean =>
  a.cost === b.cost && a.maxWaitUs === b.maxWaitUs && a.headroomPerMille === b.headroomPerMille;

/** Rule lists with the same signature are one rule set in a call (sent once). */
function signatureOf(quota: StoreAcquire): string {
  const { rules, arrival } = quota;
  const limits = rules.length === 1 ? wireOf(rules[0] as Rule) : rules.map(wireOf).join("|");
  return arrival === undefined ? limits : `${limits}|${arrival.wire.join(":")}`;
}

/** Limits a quota sends: its rules, and its arrival part after them when it has one. */
const limitCount = (quota: StoreAcquire): number => quota.rules.length + (quota.arrival === undefined ? 0 : 1);

/**
 * The key of an acquire call (the script's KEYS[1]), named after its first request id, in the
 * slot of its quota: where the script remembers the call's reply.
 */
export const callKey = (keys: QuotaKeys, id: string): string => `${keys.base}call:${id}`;

/** Redis times of an acquire reply: when it was decided and when it was answered (later for a remembered reply). */
export interface ReplyTimes {
  readonly decidedUs: number;
  readonly answeredUs: number;
  /** Whether the script answered from a remembered reply (a resent or retried call). */
  readonly remembered: boolean;
}

/** Numbers in a reply of the acquire script deciding `quotas`, without the time a remembered reply appends. */
const replyLength = (quotas: readonly StoreAcquire[]): number =>
  quotas.reduce((sum, q) => sum + q.requests.length * (2 + 2 * limitCount(q)), 1);

/** The times of an acquire reply; `undefined` when it is not one (decodeAcquire says why). */
export function replyTimes(reply: unknown, quotas: readonly StoreAcquire[]): ReplyTimes | undefined {
  if (!Array.isArray(reply) || typeof reply[0] !== "number") return undefined;
  const remembered = reply.length === replyLength(quotas) + 1;
  const answeredUs = reply[reply.length - 1];
  if (remembered && typeof answeredUs !== "number") return undefined;
  return { decidedUs: reply[0], answeredUs: remembered ? answeredUs : reply[0], remembered };
}

/**
 * Reads the acquire script's reply: Redis time, then per request a code, the wait and each
 * limit's figures (and, when remembered, the Redis time it was answered at). `replayed` marks
 * every decision as the first decision of a named call, answered again (`StoreDecision.replayed`).
 */
export function decodeAcquire(
  reply: unknown,
  quotas: readonly StoreAcquire[],
  localNowUs: number | undefined,
  replayed = false,
): StoreDecision[][] {
  const expected = replyLength(quotas);
  const length = Array.isArray(reply) ? reply.length : 0;
  if (
    !Array.isArray(reply) ||
    (length !== expected && length !== expected + 1) ||
    reply.some((v) => typeof v !== "number")
  ) {
    throw new TypeError(`Unexpected reply from the acquire script: ${JSON.stringify(reply)}`);
  }
  const numbers = reply as number[];
  const nowUs = numbers[0] as number;
  const flag = replayed ? { replayed: true as const } : {};
  let at = 1;
  return quotas.map((quota) =>
    quota.requests.map(() => {
      const code = numbers[at] as number;
      const waitUs = numbers[at + 1] as number;
      const limits = new Array<{ remaining: number; resetUs: number }>(quota.rules.length);
      for (let i = 0; i < limits.length; i++) {
        limits[i] = {
          remaining: numbers[at + 2 + 2 * i] as number,
          resetUs: nowUs + (numbers[at + 3 + 2 * i] as number),
        };
      }
      // The arrival part reports its margin (µs) and share (per mille) as its two figures.
      const arrival =
        quota.arrival === undefined
          ? undefined
          : {
              marginUs: numbers[at + 2 + 2 * limits.length] as number,
              share: numbers[at + 3 + 2 * limits.length] as number,
            };
      at += 2 + 2 * limitCount(quota);
      // code = 4 * (blocking + 1) + 2 * unqueueable + admitted
      return {
        arrival,
        admitted: code % 2 === 1,
        waitUs,
        nowUs,
        blocking: Math.floor(code / 4) - 1,
        queueable: (code & 2) === 0,
        limits,
        localNowUs,
        ...flag,
      };
    }),
  );
}

/** An acquire call's KEYS and the ARGV after the call's own four, and the kinds of its rules. */
export interface AcquireWire {
  readonly keys: string[];
  readonly args: string[];
  /** The one kind every rule has, or "mixed": the smallest script that knows them all runs. */
  readonly kinds: Rule["kind"] | "mixed";
}

/**
 * Writes quotas as the acquire script reads them (lua/acquire.lua): rule sets sent once, then
 * quotas in runs that share their terms. A quota whose requests differ goes as several quotas
 * in a row, which the script decides the same way (one after the other).
 */
export function encodeAcquire(quotas: readonly StoreAcquire[]): AcquireWire {
  const first = quotas[0] as StoreAcquire;
  const keys: string[] = [callKey(first.keys, first.requests[0]?.id ?? "")];
  const setArgs: string[] = [];
  const runArgs: string[] = [];
  const sets = new Map<string, { readonly index: string; readonly usesIds: boolean }>();
  let kinds: Rule["kind"] | "mixed" | undefined;
  let entries = 0;
  let run: { at: number; length: number; set: string; count: number; head: StoreRequest } | undefined;
  for (const quota of quotas) {
    const signature = signatureOf(quota);
    let set = sets.get(signature);
    if (set === undefined) {
      set = { index: String(sets.size + 1), usesIds: quota.rules.some((rule) => rule.keepsIds) };
      sets.set(signature, set);
      setArgs.push(String(limitCount(quota)));
      for (const rule of quota.rules) {
        setArgs.push(rule.wire[0], String(rule.wire[1]), String(rule.wire[2]), String(rule.wire[3]));
        kinds = kinds === undefined || kinds === rule.kind ? rule.kind : "mixed";
      }
      // Every acquire script knows the arrival part, so it does not change which one runs.
      if (quota.arrival !== undefined) setArgs.push(...quota.arrival.wire.map(String));
    }
    const { requests } = quota;
    for (let from = 0; from < requests.length; ) {
      const head = requests[from] as StoreRequest;
      let end = from + 1;
      while (end < requests.length && sameTerms(requests[end] as StoreRequest, head)) end++;
      entries++;
      keys.push(quota.keys.pause);
      for (const key of quota.keys.limits) keys.push(key);
      if (quota.arrival !== undefined) keys.push(quota.arrival.key);
      const count = end - from;
      if (run !== undefined && run.set === set.index && run.count === count && sameTerms(run.head, head)) {
        runArgs[run.at] = String(++run.length);
      } else {
        run = { at: runArgs.length, length: 1, set: set.index, count, head };
        runArgs.push(
          "1",
          set.index,
          String(count),
          String(head.cost),
          String(head.maxWaitUs),
          String(head.headroomPerMille),
        );
      }
      if (set.usesIds) for (let i = from; i < end; i++) runArgs.push((requests[i] as StoreRequest).id);
      from = end;
    }
  }
  return { keys, args: [String(sets.size), ...setArgs, String(entries), ...runArgs], kinds: kinds ?? "mixed" };
}
