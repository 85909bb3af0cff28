import type { Decision, Grant, Limiter, Quota, QuotaOptions } from "@sluice/core";
import { checkRules, durationToMicros } from "@sluice/core/adapter";
import { NoCredentialAvailableError } from "./errors/no-credential-available-error.js";
import { type CredentialPoolOptions, defaults } from "./options.js";
import { acquireTimed } from "./slot-wait.js";

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** One key as the pool holds it. The secret stays inside this module and `apply`. */
export interface PoolKey {
  readonly id: string;
  readonly quota: Quota;
}

/** A picked key: its grant (release it if the key's limits hold a concurrency rule). */
export interface PickedKey {
  readonly key: PoolKey;
  /** An allowed decision: an acquire's grant or a tryAcquire's. */
  readonly grant: Decision & Pick<Grant, "lease">;
  /** Ms waited for the slot (0 when a key had one free), store round trips not counted. */
  readonly waitedMs: number;
}

// Never echo a secret: messages about it name the type only.
function secretError(option: string, value: unknown): never {
  throw new TypeError(`Expected \`${option}\` to be a non-empty string, got a value of type ${typeof value}`);
}

function invalidOption(option: string, expected: string, value: unknown): never {
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  throw new TypeError(`Expected \`${option}\` to be ${expected}, got \`${shown}\` (${typeof value})`);
}

/**
 * A pool of keys, each with its own quota `<group>:key:<id>`. `pick` takes the key whose slot
 * comes soonest: `tryAcquire` on each key in rotating order, the first allowed wins; when none
 * is, `acquire` on the key with the smallest `retryAfterMs`. The choice is per process; each
 * acquire is atomic per key. Quarantine (after 401/403) is local to this process.
 */
export class CredentialPool {
  readonly group: string;
  readonly header: string;
  readonly quarantineMs: number;
  readonly keys: readonly PoolKey[];
  readonly #secrets = new Map<string, string>();
  readonly #format: (secret: string) => string;
  readonly #quarantinedUntil = new Map<string, number>();
  #next = 0;
  /** Settles when the last waiting pick in this process has reserved its slot. */
  #turn: Promise<void> = Promise.resolve();

  constructor(
    option: string,
    limiter: Limiter,
    group: string,
    input: CredentialPoolOptions,
    quotaOptions: Omit<QuotaOptions, "limits"> = {},
  ) {
    if (typeof input !== "object" || input === null) invalidOption(option, "an options object", input);
    const { header, format = defaults.format, keys, quarantine = defaults.quarantine } = input;
    if (typeof header !== "string" || !HEADER_NAME.test(header))
      invalidOption(`${option}.header`, 'a header name such as "x-access-key" or "authorization"', header);
    if (typeof format !== "function") invalidOption(`${option}.format`, "a function (secret) => string", format);
    if (!Array.isArray(keys) || keys.length === 0)
      invalidOption(`${option}.keys`, "a non-empty array of { id, secret, limits }", keys);
    this.quarantineMs = durationToMicros(`${option}.quarantine`, quarantine) / 1000;
    const pooled: PoolKey[] = [];
    keys.forEach((key: unknown, i: number) => {
      const at = `${option}.keys[${i}]`;
      if (typeof key !== "object" || key === null) invalidOption(at, "an object { id, secret, limits }", key);
      const { id, secret, limits } = key as Record<string, unknown>;
      if (typeof id !== "string" || id === "") invalidOption(`${at}.id`, "a non-empty string", id);
      if (this.#secrets.has(id)) invalidOption(`${at}.id`, "unique within the pool", id);
      if (typeof secret !== "string" || secret === "") secretError(`${at}.secret`, secret);
      const rules = checkRules(`${at}.limits`, limits);
      this.#secrets.set(id, secret);
      pooled.push({ id, quota: limiter.quota(`${group}:key:${id}`, { ...quotaOptions, limits: rules }) });
    });
    this.group = group;
    this.header = header.toLowerCase();
    this.#format = format;
    this.keys = pooled;
  }

  #available(now: number): PoolKey[] {
    const start = this.#next++ % this.keys.length;
    const rotated = [...this.keys.slice(start), ...this.keys.slice(0, start)];
    return rotated.filter((key) => (this.#quarantinedUntil.get(key.id) ?? 0) <= now);
  }

  /** Tries each available key in rotating order: the first with a free slot is taken, else the soonest is named. */
  async #look(signal: AbortSignal | undefined): Promise<{ key: PoolKey; grant?: PickedKey["grant"] }> {
    const now = performance.now();
    const candidates = this.#available(now);
    if (candidates.length === 0) {
      const soonest = Math.min(...this.keys.map((key) => this.#quarantinedUntil.get(key.id) ?? 0));
      throw new NoCredentialAvailableError(this.group, Math.max(1, Math.ceil(soonest - now)));
    }
    let soonest: { key: PoolKey; retryAfterMs: number } | undefined;
    for (const key of candidates) {
      signal?.throwIfAborted();
      const decision = await key.quota.tryAcquire();
      if (decision.allowed) return { key, grant: decision };
      if (soonest === undefined || decision.retryAfterMs < soonest.retryAfterMs)
        soonest = { key, retryAfterMs: decision.retryAfterMs };
    }
    return { key: (soonest as { key: PoolKey }).key };
  }

  /**
   * Takes a slot on the key that has one soonest. Aborting gives a reserved slot back. Picks
   * that must wait take turns in this process, each turn ending once its slot is reserved:
   * without turns, concurrent picks would all see the same key as the soonest and queue on it.
   */
  async pick(signal: AbortSignal | undefined): Promise<PickedKey> {
    const first = await this.#look(signal);
    if (first.grant !== undefined) return { key: first.key, grant: first.grant, waitedMs: 0 };
    let endTurn = (): void => {};
    const mine = new Promise<void>((resolve) => {
      endTurn = resolve;
    });
    const previous = this.#turn;
    this.#turn = previous.then(() => mine);
    try {
      await previous;
      // A fresh look, which sees the slots the picks before this one reserved.
      const { key, grant: free } = await this.#look(signal);
      if (free !== undefined) return { key, grant: free, waitedMs: 0 };
      return { key, ...(await acquireTimed(key.quota, signal, endTurn)) };
    } finally {
      endTurn();
    }
  }

  /** Writes the key's secret into `headers`, without letting a bad value echo it in an error. */
  apply(key: PoolKey, headers: Headers): void {
    const secret = this.#secrets.get(key.id) as string;
    try {
      headers.set(this.header, this.#format(secret));
    } catch {
      throw new TypeError(
        `The credential of key "${key.id}" does not make a valid \`${this.header}\` header value; check the key or \`format\`.`,
      );
    }
  }

  /** Sets a key aside in this process for `quarantineMs`. */
  quarantine(key: PoolKey): void {
    this.#quarantinedUntil.set(key.id, performance.now() + this.quarantineMs);
  }

  /** True when some key other than `key` is not quarantined. */
  hasOtherThan(key: PoolKey): boolean {
    const now = performance.now();
    return this.keys.some((k) => k !== key && (this.#quarantinedUntil.get(k.id) ?? 0) <= now);
  }
}
